// Names of the RemoteImage resources: one per distinct image per host. The stack's default image
// keeps the plain `<prefix>-image` name, so a stack deployed before nodes could name their own
// image keeps its resource; every other image gets a suffix derived from its reference alone, so
// the name stays the same across deployments and whatever order nodes are listed in.
import { createHash } from "node:crypto";

/** The resource name of `image` on a host whose resources are named `<prefix>-...`. */
export function imageResourceName(prefix: string, image: string, stackImage: string): string {
    if (image === stackImage) return `${prefix}-image`;
    return `${prefix}-image-${createHash("sha256").update(image).digest("hex").slice(0, 8)}`;
}

// @pulumi/docker resources, really created on the local engine through the docker CLI, in the
// order and with the field meanings of kreuzwerker/terraform-provider-docker v4.5.0, the version
// @pulumi/docker 5.x pins (internal/provider/resource_docker_*.go). Fields the program does not use are refused as "not emulated",
// so the harness never silently does something the real provider would not.
import { randomBytes } from "node:crypto";
import { DockerEngine } from "./run";
import { singleFileTar } from "./tar";

type Inputs = Record<string, any>;
type Outputs = { id: string; state: Record<string, unknown> };

const CONTAINER_FIELDS = new Set([
    "name", "hostname", "image", "command", "entrypoints", "envs", "labels", "ports", "volumes", "uploads",
    "networksAdvanced", "healthcheck", "restart", "maxRetryCount", "destroyGraceSeconds", "removeVolumes",
    "mustRun", "start", "wait", "waitTimeout", "init", "user", "stopSignal", "stopTimeout", "memory", "memorySwap",
    "capabilities", "securityOpts",
]);

/**
 * HostConfig.Memory and MemorySwap as the provider sends them: MB times 1 MiB, a swap of -1 passed
 * as is, an unset field as 0 (the engine's default: swap twice the memory).
 */
function memoryArgs(inputs: Inputs): string[] {
    const mib = (mb: number) => (mb > 0 ? `${mb * 1024 * 1024}` : String(mb));
    return [
        ...(inputs.memory ? ["--memory", mib(inputs.memory)] : []),
        ...(inputs.memorySwap ? ["--memory-swap", mib(inputs.memorySwap)] : []),
    ];
}

/** The provider names unnamed containers, networks and volumes `<resource name>-<7 hex>` once. */
function autoname(resourceName: string, name: string | undefined): string {
    return name ?? `${resourceName}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

function labelArgs(labels: { label: string; value: string }[] | undefined): string[] {
    return (labels ?? []).flatMap((l) => ["--label", `${l.label}=${l.value}`]);
}

/** Delete: the image stays when keepLocally, else ImageRemove (forced with forceRemove). */
export async function deleteRemoteImage(engine: DockerEngine, inputs: Inputs): Promise<void> {
    if (inputs.keepLocally) return;
    await engine.docker(["image", "rm", ...(inputs.forceRemove ? ["--force"] : []), inputs.name]);
}

export async function createRemoteImage(engine: DockerEngine, inputs: Inputs): Promise<Outputs> {
    // findImage pulls only when the image is missing locally; this machine has no registry.
    let inspected: { Id: string; RepoDigests: string[] };
    try {
        [inspected] = JSON.parse(await engine.docker(["image", "inspect", inputs.name]));
    } catch {
        throw new Error(`docker.RemoteImage ${inputs.name}: not present locally, and pulling is not emulated (no registry here)`);
    }
    const repoDigest = inspected.RepoDigests.length === 1 ? inspected.RepoDigests[0] : (inspected.RepoDigests[0] ?? "");
    return { id: `${inspected.Id}${inputs.name}`, state: { ...inputs, imageId: inspected.Id, repoDigest } };
}

export async function createNetwork(engine: DockerEngine, resourceName: string, inputs: Inputs): Promise<Outputs> {
    for (const field of ["ipamConfigs", "options", "internal", "attachable", "ingress", "ipv6", "ipamDriver", "ipamOptions"]) {
        if (inputs[field] !== undefined) throw new Error(`docker.Network.${field} is not emulated`);
    }
    const name = autoname(resourceName, inputs.name);
    const args = ["network", "create", ...labelArgs(inputs.labels)];
    if (inputs.driver) args.push("--driver", inputs.driver);
    const id = (await engine.docker([...args, name])).trim();
    const [net] = JSON.parse(await engine.docker(["network", "inspect", id]));
    return { id, state: { ...inputs, name, driver: net.Driver, scope: net.Scope } };
}

export async function deleteNetwork(engine: DockerEngine, id: string): Promise<void> {
    // The provider retries "has active endpoints" for up to 30 s.
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            await engine.docker(["network", "rm", id]);
            return;
        } catch (error) {
            const text = String(error);
            if (/No such network|not found/i.test(text)) return;
            if (!/active endpoints/.test(text) || Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 500));
        }
    }
}

export async function createVolume(engine: DockerEngine, resourceName: string, inputs: Inputs): Promise<Outputs> {
    if (inputs.driverOpts !== undefined) throw new Error("docker.Volume.driverOpts is not emulated");
    const name = autoname(resourceName, inputs.name);
    const args = ["volume", "create", ...labelArgs(inputs.labels)];
    if (inputs.driver) args.push("--driver", inputs.driver);
    await engine.docker([...args, name]);
    const [vol] = JSON.parse(await engine.docker(["volume", "inspect", name]));
    return { id: name, state: { ...inputs, name, driver: vol.Driver, mountpoint: vol.Mountpoint } };
}

export async function deleteVolume(engine: DockerEngine, name: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            await engine.docker(["volume", "rm", "-f", name]);
            return;
        } catch (error) {
            if (!/in use/.test(String(error)) || Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 500));
        }
    }
}

export async function createContainer(engine: DockerEngine, resourceName: string, inputs: Inputs): Promise<Outputs> {
    for (const field of Object.keys(inputs)) {
        if (!CONTAINER_FIELDS.has(field) && inputs[field] !== undefined) {
            throw new Error(`docker.Container.${field} is not emulated`);
        }
    }
    const name = autoname(resourceName, inputs.name);
    // 2. ContainerCreate, on the default "bridge" network.
    const id = (await engine.docker(["create", ...containerCreateArgs(name, inputs)])).trim();
    try {
        // 3. Only with networksAdvanced: leave "bridge", join each network with its aliases.
        if (inputs.networksAdvanced?.length) {
            await engine.docker(["network", "disconnect", "bridge", id]).catch((e) => {
                if (!/is not connected/.test(String(e))) throw e;
            });
            for (const net of inputs.networksAdvanced) {
                if (net.ipv4Address || net.ipv6Address || net.macAddress || net.driverOpts) {
                    throw new Error("docker.Container.networksAdvanced addresses and driverOpts are not emulated");
                }
                const aliases = (net.aliases ?? []).flatMap((a: string) => ["--alias", a]);
                await engine.docker(["network", "connect", ...aliases, net.name, id]);
            }
        }
        // 4. Uploads before start, one copy per file, owned by root.
        for (const upload of inputs.uploads ?? []) {
            await engine.docker(["cp", "-", `${id}:/`], { input: singleFileTar(upload.file, uploadContent(upload), uploadMode(upload)) });
        }
        // 5. Start unless start: false.
        if (inputs.start !== false) await engine.docker(["start", id]);
        // 6. wait: only "healthy" ends it; "unhealthy" keeps polling until waitTimeout.
        if (inputs.wait) await waitHealthy(engine, id, inputs.waitTimeout ?? 60);
    } catch (error) {
        // The bridge keeps a partial create in state; the harness tracks it for teardown.
        throw Object.assign(error as Error, { partialId: id });
    }
    return { id, state: { ...inputs, ...(await readContainer(engine, id)) } };
}

function containerCreateArgs(name: string, inputs: Inputs): string[] {
    const args = ["--name", name];
    if (inputs.hostname) args.push("--hostname", inputs.hostname);
    if (inputs.user) args.push("--user", inputs.user);
    for (const env of inputs.envs ?? []) args.push("--env", env);
    args.push(...labelArgs(inputs.labels));
    for (const p of inputs.ports ?? []) {
        // Omitted ip means 0.0.0.0 and omitted external means HostPort "0": the engine picks one.
        args.push("--publish", `${p.ip ?? "0.0.0.0"}:${p.external ?? 0}:${p.internal}/${p.protocol ?? "tcp"}`);
    }
    for (const v of inputs.volumes ?? []) {
        if (v.fromContainer) throw new Error("docker.Container.volumes.fromContainer is not emulated");
        const source = v.hostPath ?? v.volumeName;
        args.push("--volume", source ? `${source}:${v.containerPath}:${v.readOnly ? "ro" : "rw"}` : v.containerPath);
    }
    const hc = inputs.healthcheck;
    if (hc) {
        const [kind, ...rest] = hc.tests ?? [];
        if (kind === "NONE") args.push("--no-healthcheck");
        else if (kind === "CMD-SHELL" && rest.length === 1) args.push("--health-cmd", rest[0]);
        else throw new Error(`healthcheck tests ${JSON.stringify(hc.tests)}: only ["CMD-SHELL", cmd] and ["NONE"] are emulated`);
        if (hc.interval) args.push("--health-interval", hc.interval);
        if (hc.timeout) args.push("--health-timeout", hc.timeout);
        if (hc.startPeriod) args.push("--health-start-period", hc.startPeriod);
        if (hc.startInterval) throw new Error("healthcheck.startInterval is not emulated (Docker 25+)");
        args.push("--health-retries", String(hc.retries ?? 0));
    }
    const restart = inputs.restart ?? "no";
    args.push("--restart", restart === "on-failure" && inputs.maxRetryCount ? `on-failure:${inputs.maxRetryCount}` : restart);
    args.push(...memoryArgs(inputs));
    // HostConfig.CapAdd / CapDrop and SecurityOpt, sent verbatim.
    for (const cap of inputs.capabilities?.drops ?? []) args.push("--cap-drop", cap);
    for (const cap of inputs.capabilities?.adds ?? []) args.push("--cap-add", cap);
    for (const opt of inputs.securityOpts ?? []) args.push("--security-opt", opt);
    if (inputs.stopSignal) args.push("--stop-signal", inputs.stopSignal);
    if (inputs.stopTimeout !== undefined) args.push("--stop-timeout", String(inputs.stopTimeout));
    // The provider always sends Init, false when unset.
    args.push(`--init=${inputs.init === true}`);
    // The provider sends Entrypoint as a list; `docker run --entrypoint` takes one executable, so its
    // other elements go in front of the command: the process started is the same argv.
    const [entrypoint, ...entrypointArgs] = inputs.entrypoints ?? [];
    if (entrypoint !== undefined) args.push("--entrypoint", entrypoint);
    args.push(inputs.image, ...entrypointArgs, ...(inputs.command ?? []));
    return args;
}

function uploadContent(upload: Inputs): Buffer {
    const sources = ["content", "contentBase64", "source"].filter((k) => upload[k] !== undefined);
    if (sources.length !== 1) throw new Error(`upload ${upload.file}: exactly one of content, contentBase64, source`);
    if (upload.owner !== undefined || upload.group !== undefined) {
        throw new Error(`upload ${upload.file}: owner/group are not emulated (unverified in 5.2)`);
    }
    if (upload.source !== undefined) throw new Error(`upload ${upload.file}: source is not emulated`);
    return upload.content !== undefined ? Buffer.from(upload.content) : Buffer.from(upload.contentBase64, "base64");
}

function uploadMode(upload: Inputs): number {
    if (upload.permissions !== undefined) {
        if (!/^0[0-7]{3}$/.test(upload.permissions)) throw new Error(`upload ${upload.file}: permissions must match ^0[0-7]{3}$`);
        return parseInt(upload.permissions, 8);
    }
    return upload.executable ? 0o744 : 0o644;
}

async function waitHealthy(engine: DockerEngine, id: string, timeoutSeconds: number): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
        const [c] = JSON.parse(await engine.docker(["inspect", id]));
        if (!c.State.Health) throw new Error(`container ${id} does not have a healthcheck defined, so wait is not possible`);
        if (c.State.Health.Status === "healthy") return;
        if (Date.now() > deadline) throw new Error(`container ${id} failed to be in healthy state`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

async function readContainer(engine: DockerEngine, id: string): Promise<Record<string, unknown>> {
    const [c] = JSON.parse(await engine.docker(["inspect", id]));
    return {
        name: String(c.Name).replace(/^\//, ""),
        hostname: c.Config.Hostname,
        exitCode: c.State.Running ? undefined : c.State.ExitCode,
        networkDatas: Object.entries(c.NetworkSettings.Networks).map(([networkName, n]: [string, any]) => ({
            networkName,
            ipAddress: n.IPAddress,
            ipPrefixLength: n.IPPrefixLen,
            gateway: n.Gateway,
            macAddress: n.MacAddress,
        })),
    };
}

/** In-place update (ContainerUpdate): restart policy, memory limits, and a start when mustRun turns true. */
export async function updateContainer(engine: DockerEngine, id: string, olds: Inputs, news: Inputs): Promise<Record<string, unknown>> {
    for (const field of ["cpuShares", "cpuSet"]) {
        if (JSON.stringify(olds[field]) !== JSON.stringify(news[field])) throw new Error(`updating container ${field} is not emulated`);
    }
    // The provider sends Memory (0 when unset) and MemorySwap only when set, whichever field changed.
    if (olds.memory !== news.memory || olds.memorySwap !== news.memorySwap) {
        await engine.docker(["update", "--memory", String((news.memory ?? 0) * 1024 * 1024), ...memoryArgs({ memorySwap: news.memorySwap }), id]);
    }
    if (olds.restart !== news.restart || olds.maxRetryCount !== news.maxRetryCount) {
        const restart = news.restart ?? "no";
        await engine.docker(["update", "--restart", restart === "on-failure" && news.maxRetryCount ? `on-failure:${news.maxRetryCount}` : restart, id]);
    }
    if (news.mustRun !== false && olds.mustRun === false) await engine.docker(["start", id]);
    return { ...news, ...(await readContainer(engine, id)) };
}

/** Delete: stop with destroyGraceSeconds (0 when unset: an immediate kill), then forced remove. */
export async function deleteContainer(engine: DockerEngine, id: string, inputs: Inputs): Promise<void> {
    const grace = inputs.destroyGraceSeconds > 0 ? inputs.destroyGraceSeconds : 0;
    await engine.docker(["stop", "--time", String(grace), id]).catch(() => undefined);
    const removeVolumes = inputs.removeVolumes ?? true;
    await engine.docker(["rm", "--force", ...(removeVolumes ? ["--volumes"] : []), id]).catch((e) => {
        if (!/No such container/.test(String(e))) throw e;
    });
}

// A `pulumi.runtime.Mocks` that stands in for the engine and the docker, tls and dynamic providers:
// every registration really creates what it declares, concurrently as the engine would, and is
// recorded so that teardown deletes it all, newest first, also after a failure.
import type * as pulumi from "@pulumi/pulumi";
import * as dockerEmulation from "./dockerEmulation";
import { createDynamicResource } from "./dynamicEmulation";
import { createRandomPassword } from "./randomEmulation";
import * as tlsEmulation from "./tlsEmulation";

/** One resource the emulator created, as the engine's state would hold it. */
export interface CreatedResource {
    readonly type: string;
    readonly name: string;
    readonly id: string;
    readonly inputs: Record<string, any>;
    readonly state: Record<string, unknown>;
}

// Secret inputs reach mocks wrapped in the SDK's signature; providers see plain values.
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

export function unwrapSecrets(value: unknown): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (SECRET_SIG_KEY in record) return unwrapSecrets(record.value);
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

export class ProviderEmulator implements pulumi.runtime.Mocks {
    /** Everything created, in creation order. */
    readonly created: CreatedResource[] = [];
    /** Containers whose create failed after Docker gave them an id (a partial create). */
    private readonly partialContainers: { id: string; inputs: Record<string, any> }[] = [];
    private readonly inFlight = new Set<Promise<unknown>>();
    private readonly failures: Error[] = [];
    private rejectFailure: (error: Error) => void = () => undefined;
    /** Rejects with the first failed create; race it against the program's outputs. */
    readonly failed: Promise<never> = new Promise((_, reject) => {
        this.rejectFailure = reject;
    });

    constructor(
        private readonly projectDir: string,
        private readonly log: (line: string) => void = () => undefined,
    ) {
        this.failed.catch(() => undefined); // observed by whoever races it
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        throw new Error(`provider function ${args.token} is not emulated`);
    }

    newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
        const work = this.create(args);
        this.inFlight.add(work);
        work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
        return work;
    }

    /** Waits for every create still running (a failure elsewhere does not stop them). */
    async settle(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }

    get firstFailure(): Error | undefined {
        return this.failures[0];
    }

    private async create(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
        if (!args.custom) return { id: undefined, state: {} }; // component resources have no provider
        const inputs = unwrapSecrets(args.inputs);
        const started = Date.now();
        try {
            const { id, state } = await this.createCustom(args.type, args.name, inputs);
            this.created.push({ type: args.type, name: args.name, id, inputs, state });
            this.log(`created ${args.type.split(":").pop()} ${args.name} (${Date.now() - started} ms)`);
            return { id, state };
        } catch (error) {
            const partialId = (error as { partialId?: string }).partialId;
            if (partialId) this.partialContainers.push({ id: partialId, inputs });
            const wrapped = new Error(`creating ${args.type} ${args.name} failed: ${(error as Error).message}`);
            this.failures.push(wrapped);
            this.rejectFailure(wrapped);
            throw wrapped;
        }
    }

    private createCustom(type: string, name: string, inputs: Record<string, any>) {
        switch (type) {
            case "tls:index/privateKey:PrivateKey":
                return Promise.resolve(tlsEmulation.createPrivateKeyResource(inputs));
            case "tls:index/selfSignedCert:SelfSignedCert":
                return tlsEmulation.createSelfSignedCertResource(inputs);
            case "tls:index/certRequest:CertRequest":
                return tlsEmulation.createCertRequestResource(inputs);
            case "tls:index/locallySignedCert:LocallySignedCert":
                return tlsEmulation.createLocallySignedCertResource(inputs);
            case "random:index/randomPassword:RandomPassword":
                return Promise.resolve(createRandomPassword(inputs));
            case "docker:index/remoteImage:RemoteImage":
                return dockerEmulation.createRemoteImage(inputs);
            case "docker:index/network:Network":
                return dockerEmulation.createNetwork(name, inputs);
            case "docker:index/volume:Volume":
                return dockerEmulation.createVolume(name, inputs);
            case "docker:index/container:Container":
                return dockerEmulation.createContainer(name, inputs);
            default:
                if (type.startsWith("pulumi-nodejs:dynamic")) {
                    return createDynamicResource(inputs, this.projectDir, (chunk) => this.log(chunk.trimEnd()));
                }
                throw new Error(`resource type ${type} is not emulated`);
        }
    }

    /**
     * Deletes everything, dependents first: containers (partial creates too), then networks and
     * volumes. Images stay (keepLocally), keys and certificates have nothing to delete.
     */
    async destroy(): Promise<void> {
        await this.settle();
        const errors: unknown[] = [];
        const attempt = async (fn: () => Promise<void>) => fn().catch((e) => errors.push(e));
        for (const c of this.partialContainers.splice(0)) await attempt(() => dockerEmulation.deleteContainer(c.id, c.inputs));
        const newestFirst = this.created.splice(0).reverse();
        for (const r of newestFirst.filter((r) => r.type === "docker:index/container:Container")) {
            await attempt(() => dockerEmulation.deleteContainer(r.id, r.inputs));
        }
        for (const r of newestFirst.filter((r) => r.type === "docker:index/network:Network")) {
            await attempt(() => dockerEmulation.deleteNetwork(r.id));
        }
        for (const r of newestFirst.filter((r) => r.type === "docker:index/volume:Volume")) {
            await attempt(() => dockerEmulation.deleteVolume(r.id));
        }
        if (errors.length > 0) throw new Error(`teardown failed: ${errors.map(String).join("; ")}`);
    }
}

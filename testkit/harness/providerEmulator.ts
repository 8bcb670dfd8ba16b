// A `pulumi.runtime.Mocks` that stands in for the engine and the docker, tls, random and dynamic
// providers: every registration really creates what it declares, concurrently as the engine would.
// Between runs it keeps the stack state (inputs and outputs per resource) and follows the engine's
// rules: a dynamic provider's check runs first on every registration and its failures fail the
// deploy; unchanged inputs leave a resource alone, changed ones update it in place or replace it by
// the provider's rules, and resources gone from the program are deleted, dependents first.
// A registration is answered only once its step is done, as the engine's resource monitor does
// (pulumi/pulumi pkg/resource/deploy/source_eval.go, (*resmon).RegisterResource); the SDK sends a
// resource only after its `dependsOn` URNs resolved, so `dependsOn` orders steps here as there.
import * as pulumi from "@pulumi/pulumi";
import { randomUUID } from "node:crypto";
import * as dockerEmulation from "./dockerEmulation";
import { CheckFailure, checkDynamicResource, createDynamicResource, updateDynamicResource } from "./dynamicEmulation";
import { createRandomPassword } from "./randomEmulation";
import { deletesBeforeReplace, diffResource } from "./resourceDiff";
import { DockerEngine } from "./run";
import * as tlsEmulation from "./tlsEmulation";

/** What a run did to one resource. */
export interface Step {
    readonly op: "create" | "same" | "update" | "replace" | "delete";
    readonly type: string;
    readonly name: string;
}

/** The stack state between runs, keyed like URNs (type and name; names are unique per type here). */
export type StackState = Map<string, CreatedResource>;

/** One resource the emulator created, as the engine's state would hold it. */
export interface CreatedResource {
    readonly type: string;
    readonly name: string;
    readonly id: string;
    readonly inputs: Record<string, any>;
    readonly state: Record<string, unknown>;
    /** DOCKER_HOST of the engine a docker resource lives on; undefined for the default provider. */
    readonly dockerHost?: string;
}

/** One step of a resource's create or delete, stamped with `Date.now()` when it happened. */
export interface ResourceEvent {
    readonly at: number;
    /**
     * "create-started": the provider call begins (for a container, right before `docker create`);
     * "delete-started"/"deleted": a replacement's delete of the old resource.
     */
    readonly phase: "create-started" | "created" | "delete-started" | "deleted";
    readonly type: string;
    readonly name: string;
}

// Secret inputs reach mocks wrapped in the SDK's signature; providers see plain values.
const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;

export function unwrapSecrets(value: unknown): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (SECRET_SIG_KEY in record) return unwrapSecrets(record.value);
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/**
 * What the emulator asks of the providers. The default (`providerHosts`) does the real work: Docker
 * through its CLI, keys and certificates locally, dynamic providers in provider-host processes.
 */
export interface ProviderBackend {
    /** A dynamic provider's check; other types have their checks (defaults, autonaming) elsewhere. */
    check(type: string, olds: Record<string, any>, news: Record<string, any>): Promise<{ inputs: Record<string, any>; failures: CheckFailure[] }>;
    create(type: string, name: string, inputs: Record<string, any>, dockerHost: string | undefined): Promise<{ id: string; state: Record<string, unknown> }>;
    update(old: CreatedResource, inputs: Record<string, any>): Promise<{ id: string; state: Record<string, unknown> }>;
    delete(resource: CreatedResource): Promise<void>;
}

/** Whether the engine runs `type` through the Node SDK's dynamic-provider host. */
export function isDynamic(type: string): boolean {
    return type.startsWith("pulumi-nodejs:dynamic");
}

/** How the engine prints check failures (pulumi/pulumi sdk/go/common/diag/errors.go, codes 2002/2003). */
export function checkFailureText(type: string, name: string, failures: readonly CheckFailure[]): string {
    return failures
        .map((f) => (f.property === "" ? `${type} resource '${name}' has a problem: ${f.reason}` : `${type} resource '${name}': property ${f.property} has a problem: ${f.reason}`))
        .join("\n");
}

export class ProviderEmulator implements pulumi.runtime.Mocks {
    /** What this run did, in the order it did it. */
    readonly steps: Step[] = [];
    /** Containers whose create failed after Docker gave them an id (a partial create). */
    private readonly partialContainers: { id: string; inputs: Record<string, any>; dockerHost?: string }[] = [];
    private readonly registered = new Set<string>();
    private destroying = false;
    /** Observes every create as it starts and ends (deployStack's `onEvent`); it must not throw. */
    onEvent: (event: ResourceEvent) => void = () => undefined;
    /** Every create's start and end in this run, in order. */
    readonly events: ResourceEvent[] = [];

    private record(event: ResourceEvent): void {
        this.events.push(event);
        this.onEvent(event);
    }
    private readonly inFlight = new Set<Promise<unknown>>();
    private readonly failures: Error[] = [];
    private rejectFailure: (error: Error) => void = () => undefined;
    /** Rejects with the first failed step; race it against the program's outputs. */
    readonly failed: Promise<never> = new Promise((_, reject) => {
        this.rejectFailure = reject;
    });

    constructor(
        private readonly projectDir: string,
        private readonly log: (line: string) => void = () => undefined,
        /** The state the previous run left; updated in place as this run goes. */
        readonly state: StackState = new Map(),
        /** The providers; tests of the engine's ordering pass stand-ins. */
        private readonly backend: ProviderBackend = providerHosts(projectDir, log),
    ) {
        this.failed.catch(() => undefined); // observed by whoever races it
    }

    /** Every resource in the state, oldest first. */
    get created(): CreatedResource[] {
        return [...this.state.values()];
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        throw new Error(`provider function ${args.token} is not emulated`);
    }

    newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
        const work = this.register(args);
        this.inFlight.add(work);
        work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
        return work;
    }

    /** Waits for every step still running (a failure elsewhere does not stop them). */
    async settle(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }

    get firstFailure(): Error | undefined {
        return this.failures[0];
    }

    private async register(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
        if (!args.custom) return { id: undefined, state: {} }; // component resources have no provider
        // After a failure the program may still register resources; once teardown has begun they
        // would be created behind its back and leak.
        if (this.destroying) throw new Error(`${args.type} ${args.name} registered after teardown began; not created`);
        const key = `${args.type}::${args.name}`;
        if (this.registered.has(key)) throw new Error(`duplicate resource ${key}`);
        this.registered.add(key);
        const old = this.state.get(key);
        const started = Date.now();
        const dockerHost = this.dockerHostOf(args.provider);
        try {
            let inputs = unwrapSecrets(args.inputs);
            if (isDynamic(args.type)) {
                // The engine checks before it diffs, creates or updates; failures end the deploy with
                // this resource untouched (pulumi/pulumi pkg/resource/deploy/step_generator.go,
                // continueStepsFromImport: issueCheckErrors, then "resource ... is invalid").
                const checked = await this.backend.check(args.type, old?.inputs ?? {}, inputs);
                if (checked.failures.length > 0) throw new Error(checkFailureText(args.type, args.name, checked.failures));
                inputs = checked.inputs;
            }
            const { op, resource } = await this.apply(key, args, inputs, old, dockerHost);
            this.steps.push({ op, type: args.type, name: args.name });
            if (op !== "same") this.log(`${op} ${args.type.split(":").pop()} ${args.name} (${Date.now() - started} ms)`);
            return { id: resource.id, state: resource.state };
        } catch (error) {
            const partialId = (error as { partialId?: string }).partialId;
            if (partialId) this.partialContainers.push({ id: partialId, inputs: unwrapSecrets(args.inputs), dockerHost });
            const wrapped = new Error(`${old ? "updating" : "creating"} ${args.type} ${args.name} failed: ${(error as Error).message}`);
            this.failures.push(wrapped);
            this.rejectFailure(wrapped);
            throw wrapped;
        }
    }

    private async apply(
        key: string,
        args: pulumi.runtime.MockResourceArgs,
        inputs: Record<string, any>,
        old: CreatedResource | undefined,
        dockerHost: string | undefined,
    ): Promise<{ op: Step["op"]; resource: CreatedResource }> {
        const create = async () => {
            this.record({ at: Date.now(), phase: "create-started", type: args.type, name: args.name });
            const { id, state } = await this.backend.create(args.type, args.name, inputs, dockerHost);
            const resource = { type: args.type, name: args.name, id, inputs, state, dockerHost };
            this.state.set(key, resource);
            this.record({ at: Date.now(), phase: "created", type: args.type, name: args.name });
            return resource;
        };
        if (!old) return { op: "create", resource: await create() };
        const diff = diffResource(args.type, old.inputs, inputs);
        if (diff === "same") return { op: "same", resource: old };
        if (diff === "update") {
            const { id, state } = await this.backend.update(old, inputs);
            const resource = { ...old, id, inputs, state };
            this.state.set(key, resource);
            return { op: "update", resource };
        }
        const deleteOld = async () => {
            this.record({ at: Date.now(), phase: "delete-started", type: args.type, name: args.name });
            await this.backend.delete(old);
            this.record({ at: Date.now(), phase: "deleted", type: args.type, name: args.name });
        };
        if (deletesBeforeReplace(args.type)) {
            await deleteOld();
            this.state.delete(key);
            return { op: "replace", resource: await create() };
        }
        const resource = await create();
        await deleteOld();
        return { op: "replace", resource };
    }

    /**
     * The engine a resource's provider reference points at. References are "<urn>::<id>"; the
     * provider resource's state holds its `host` input.
     */
    private dockerHostOf(providerRef: string | undefined): string | undefined {
        if (!providerRef) return undefined;
        const id = providerRef.slice(providerRef.lastIndexOf("::") + 2);
        const provider = this.created.find((r) => r.type === "pulumi:providers:docker" && r.id === id);
        if (!provider) return undefined; // another package's provider
        return provider.inputs.host;
    }

    /** Deletes what this run no longer declares, dependents (containers) first. */
    async deleteUnregistered(): Promise<void> {
        await this.settle();
        const gone = this.created.filter((r) => !this.registered.has(`${r.type}::${r.name}`));
        for (const r of dependentsFirst(gone)) {
            await this.backend.delete(r);
            this.state.delete(`${r.type}::${r.name}`);
            this.steps.push({ op: "delete", type: r.type, name: r.name });
            this.log(`delete ${r.type.split(":").pop()} ${r.name}`);
        }
    }

    /** Deletes everything in the state (and partial creates), dependents first; keeps going on errors. */
    async destroy(): Promise<void> {
        this.destroying = true;
        await this.settle();
        const errors: unknown[] = [];
        for (const c of this.partialContainers.splice(0)) {
            await dockerEmulation.deleteContainer(new DockerEngine(c.dockerHost), c.id, c.inputs).catch((e) => errors.push(e));
        }
        for (const r of dependentsFirst(this.created)) {
            await this.backend.delete(r).catch((e) => errors.push(e));
            this.state.delete(`${r.type}::${r.name}`);
        }
        if (errors.length > 0) throw new Error(`teardown failed: ${errors.map(String).join("; ")}`);
    }
}

/** Newest first, containers before the networks, volumes and images they use. */
function dependentsFirst(resources: CreatedResource[]): CreatedResource[] {
    const rank = (r: CreatedResource) => (r.type === "docker:index/container:Container" ? 0 : 1);
    return [...resources].reverse().sort((a, b) => rank(a) - rank(b));
}

/** The real providers: Docker on the engine the resource's provider points at, tls, random, dynamic provider hosts. */
export function providerHosts(
    projectDir: string,
    log: (line: string) => void = () => undefined,
    /** Runs each container's start; tests and the bench force an order with it. */
    containerStartHook?: dockerEmulation.ContainerStartHook,
): ProviderBackend {
    const stderr = (chunk: string) => log(chunk.trimEnd());
    return {
        check: (_type, olds, news) => checkDynamicResource(olds, news, projectDir, stderr),
        create(type, name, inputs, dockerHost) {
            const engine = new DockerEngine(dockerHost);
            switch (type) {
                case "pulumi:providers:docker":
                    // The engine sends provider configuration to the plugin; nothing is created.
                    if (inputs.sshOpts || inputs.context) throw new Error("docker provider sshOpts/context are not emulated");
                    if (inputs.certMaterial) throw new Error("docker provider TLS material is not emulated");
                    return Promise.resolve({ id: randomUUID(), state: { ...inputs } });
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
                    return dockerEmulation.createRemoteImage(engine, inputs);
                case "docker:index/network:Network":
                    return dockerEmulation.createNetwork(engine, name, inputs);
                case "docker:index/volume:Volume":
                    return dockerEmulation.createVolume(engine, name, inputs);
                case "docker:index/container:Container":
                    return dockerEmulation.createContainer(engine, name, inputs, containerStartHook);
                default:
                    if (isDynamic(type)) return createDynamicResource(inputs, projectDir, stderr);
                    throw new Error(`resource type ${type} is not emulated`);
            }
        },
        async update(old, inputs) {
            if (old.type === "docker:index/container:Container") {
                const engine = new DockerEngine(old.dockerHost);
                return { id: old.id, state: await dockerEmulation.updateContainer(engine, old.id, old.inputs, inputs) };
            }
            if (isDynamic(old.type)) return updateDynamicResource(old.id, old.state, inputs, projectDir, stderr);
            // tls, random, image and the rest: the changed fields only live in state.
            return { id: old.id, state: { ...old.state, ...inputs } };
        },
        async delete(resource) {
            const engine = new DockerEngine(resource.dockerHost);
            switch (resource.type) {
                case "docker:index/container:Container":
                    return dockerEmulation.deleteContainer(engine, resource.id, resource.inputs);
                case "docker:index/network:Network":
                    return dockerEmulation.deleteNetwork(engine, resource.id);
                case "docker:index/volume:Volume":
                    return dockerEmulation.deleteVolume(engine, resource.id);
                case "docker:index/remoteImage:RemoteImage":
                    return dockerEmulation.deleteRemoteImage(engine, resource.inputs);
                default:
                    return; // keys, certificates, passwords and the check have nothing outside the state
            }
        },
    };
}

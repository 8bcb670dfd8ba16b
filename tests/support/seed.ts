// The reference setup, exactly as Pulumi.dev.yaml writes it:
// A (master, plain) -> B (plain link; plain and TLS listeners) -> C (TLS link, TLS only).
// A function, not a constant, so no test can change another test's input.
export function seedNodes(): Record<string, unknown>[] {
    return [
        { name: "redis-a", plain: { hostPort: 6379 } },
        { name: "redis-b", replicaOf: "redis-a", link: "plain", plain: { hostPort: 16379 }, tls: { hostPort: 16380 } },
        { name: "redis-c", replicaOf: "redis-b", link: "tls", tls: { hostPort: 26380 } },
    ];
}

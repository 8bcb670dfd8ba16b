import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** Arguments of one node's certificate. */
export interface NodeCertificateArgs {
    /** Subject common name; the node name. */
    readonly commonName: string;
    /** DNS names clients may use: container name, network alias, localhost. */
    readonly dnsNames: readonly string[];
    /** IP addresses clients may use, e.g. 127.0.0.1. */
    readonly ipAddresses: readonly string[];
    /** PEM of the signing CA certificate. */
    readonly caCertPem: pulumi.Input<string>;
    /** PEM of the signing CA key (secret). */
    readonly caPrivateKeyPem: pulumi.Input<string>;
    /** Validity in hours; default one year. */
    readonly validityPeriodHours?: number;
    /** Key usages; default server and client auth, as a node needs both. */
    readonly allowedUses?: readonly string[];
}

/**
 * A key and CA-signed certificate: a node's (server, and client on its replication link), or the
 * chain's client certificate when `allowedUses` says client only.
 */
export class NodeCertificate extends pulumi.ComponentResource {
    readonly certPem: pulumi.Output<string>;
    /** PKCS#1 PEM of the node key (secret). */
    readonly privateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: NodeCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:NodeCertificate", name, {}, opts);
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const request = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: args.commonName, organization: "redis-chain" },
                dnsNames: [...args.dnsNames],
                ipAddresses: [...args.ipAddresses],
            },
            { parent: this },
        );
        const validityPeriodHours = args.validityPeriodHours ?? 24 * 365;
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: request.certRequestPem,
                caCertPem: args.caCertPem,
                caPrivateKeyPem: args.caPrivateKeyPem,
                validityPeriodHours,
                // Renewal replaces the cert and so the container; a month of slack lets that be planned.
                earlyRenewalHours: Math.min(24 * 30, Math.floor(validityPeriodHours / 2)),
                // A replica presents this certificate as a client on its TLS replication link.
                allowedUses: [...(args.allowedUses ?? ["digital_signature", "key_encipherment", "server_auth", "client_auth"])],
            },
            { parent: this },
        );
        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ certPem: this.certPem });
    }
}

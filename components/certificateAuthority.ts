import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** Arguments of the chain's certificate authority. */
export interface CertificateAuthorityArgs {
    /** Subject common name of the CA certificate. */
    readonly commonName?: string;
    /** Validity of the CA certificate in hours; default ten years, as in the seed. */
    readonly validityPeriodHours?: number;
}

/** The CA that signs every node certificate: an RSA 4096 key and a self-signed certificate. */
export class CertificateAuthority extends pulumi.ComponentResource {
    /** PEM of the CA certificate; public, clients need it to verify nodes. */
    readonly certPem: pulumi.Output<string>;
    /** PEM of the CA key (secret); only the signing resources use it. */
    readonly privateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: CertificateAuthorityArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("redis-chain:index:CertificateAuthority", name, {}, opts);
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "RSA", rsaBits: 4096 }, { parent: this });
        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                isCaCertificate: true,
                subject: { commonName: args.commonName ?? "Redis-CA" },
                validityPeriodHours: args.validityPeriodHours ?? 24 * 3650,
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            },
            { parent: this },
        );
        this.certPem = cert.certPem;
        // Mocks and some engines do not mark provider outputs secret; say it here, where it matters.
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ certPem: this.certPem });
    }
}

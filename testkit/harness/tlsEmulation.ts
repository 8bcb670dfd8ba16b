// @pulumi/tls resources, really generated: keys with node:crypto, certificates and requests with
// the openssl CLI, following hashicorp/terraform-provider-tls (internal/provider: common_cert.go,
// resource_private_key.go; the provider @pulumi/tls 5.6.1 wraps). Anything the program does not
// use and that cannot be matched exactly is refused with "not emulated" rather than approximated.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run";
import { withTempDir } from "./tempDir";

type Inputs = Record<string, any>;
type Outputs = { id: string; state: Record<string, unknown> };

const KEY_USAGE: Record<string, string> = {
    digital_signature: "digitalSignature",
    content_commitment: "nonRepudiation",
    key_encipherment: "keyEncipherment",
    data_encipherment: "dataEncipherment",
    key_agreement: "keyAgreement",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    encipher_only: "encipherOnly",
    decipher_only: "decipherOnly",
};
const EXT_KEY_USAGE: Record<string, string> = {
    any_extended: "anyExtendedKeyUsage",
    server_auth: "serverAuth",
    client_auth: "clientAuth",
    code_signing: "codeSigning",
    email_protection: "emailProtection",
    timestamping: "timeStamping",
    ocsp_signing: "OCSPSigning",
};
const CURVES: Record<string, string> = { P224: "secp224r1", P256: "prime256v1", P384: "secp384r1", P521: "secp521r1" };
const SUBJECT_FIELDS: [string, string][] = [
    ["country", "C"],
    ["province", "ST"],
    ["locality", "L"],
    ["organization", "O"],
    ["organizationalUnit", "OU"],
    ["commonName", "CN"],
    ["serialNumber", "serialNumber"],
    ["postalCode", "postalCode"],
    ["emailAddress", "emailAddress"],
];

export function createPrivateKeyResource(inputs: Inputs): Outputs {
    const algorithm = inputs.algorithm;
    let privateKeyPem: string;
    let keyObject;
    if (algorithm === "RSA") {
        const pair = generateKeyPairSync("rsa", { modulusLength: inputs.rsaBits ?? 2048 });
        keyObject = pair.privateKey;
        privateKeyPem = keyObject.export({ type: "pkcs1", format: "pem" }).toString();
    } else if (algorithm === "ECDSA") {
        const curve = CURVES[inputs.ecdsaCurve ?? "P224"];
        if (!curve) throw new Error(`tls.PrivateKey: unsupported ecdsaCurve ${inputs.ecdsaCurve}`);
        keyObject = generateKeyPairSync("ec", { namedCurve: curve }).privateKey;
        privateKeyPem = keyObject.export({ type: "sec1", format: "pem" }).toString();
    } else if (algorithm === "ED25519") {
        keyObject = generateKeyPairSync("ed25519").privateKey;
        privateKeyPem = keyObject.export({ type: "pkcs8", format: "pem" }).toString();
    } else {
        throw new Error(`tls.PrivateKey: algorithm must be RSA, ECDSA or ED25519, got ${algorithm}`);
    }
    const publicKey = createPublicKey(keyObject);
    const publicDer = publicKey.export({ type: "spki", format: "der" });
    return {
        id: createHash("sha1").update(publicDer).digest("hex"),
        state: {
            ...inputs,
            privateKeyPem,
            privateKeyPemPkcs8: keyObject.export({ type: "pkcs8", format: "pem" }).toString(),
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
            publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(publicDer).digest("base64").replace(/=+$/, "")}`,
        },
    };
}

export async function createSelfSignedCertResource(inputs: Inputs): Promise<Outputs> {
    return withTempDir("redis-chain-tls-", async (dir) => {
        const key = writeFile(dir, "key.pem", inputs.privateKeyPem);
        const extensions = certExtensions(inputs, { selfSigned: true });
        const cnf = writeFile(dir, "openssl.cnf", `[req]\ndistinguished_name=dn\n[dn]\n[ext]\n${extensions}${sanLine(inputs)}`);
        const serial = randomSerial();
        const args = ["req", "-new", "-x509", "-config", cnf, "-extensions", "ext", "-key", key, "-sha256"];
        args.push("-subj", subjectArg(inputs.subject), "-set_serial", `0x${serial.toString(16)}`, "-days", days(inputs));
        const certPem = await run("openssl", args);
        return certOutputs(inputs, certPem, serial);
    });
}

export async function createCertRequestResource(inputs: Inputs): Promise<Outputs> {
    return withTempDir("redis-chain-tls-", async (dir) => {
        const key = writeFile(dir, "key.pem", inputs.privateKeyPem);
        const cnf = writeFile(dir, "openssl.cnf", `[req]\ndistinguished_name=dn\nreq_extensions=ext\n[dn]\n[ext]\n${sanLine(inputs)}`);
        const args = ["req", "-new", "-config", cnf, "-key", key, "-sha256", "-subj", subjectArg(inputs.subject)];
        const certRequestPem = await run("openssl", args);
        const der = pemBody(certRequestPem);
        return { id: createHash("sha1").update(der).digest("hex"), state: { ...inputs, certRequestPem } };
    });
}

export async function createLocallySignedCertResource(inputs: Inputs): Promise<Outputs> {
    return withTempDir("redis-chain-tls-", async (dir) => {
        const csr = writeFile(dir, "csr.pem", inputs.certRequestPem);
        const ca = writeFile(dir, "ca.pem", inputs.caCertPem);
        const caKey = writeFile(dir, "ca-key.pem", inputs.caPrivateKeyPem);
        // Subject and SANs come from the request; the request carries no other extension here.
        const ext = writeFile(dir, "ext.cnf", `[ext]\n${certExtensions(inputs, { selfSigned: false })}`);
        const serial = randomSerial();
        const args = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-sha256", "-copy_extensions", "copy"];
        args.push("-extfile", ext, "-extensions", "ext", "-set_serial", `0x${serial.toString(16)}`, "-days", days(inputs));
        const certPem = await run("openssl", args);
        return certOutputs(inputs, certPem, serial);
    });
}

function certExtensions(inputs: Inputs, { selfSigned }: { selfSigned: boolean }): string {
    const uses: string[] = inputs.allowedUses ?? [];
    const keyUsage: string[] = [];
    const extKeyUsage: string[] = [];
    for (const use of uses) {
        if (KEY_USAGE[use]) keyUsage.push(KEY_USAGE[use]);
        else if (EXT_KEY_USAGE[use]) extKeyUsage.push(EXT_KEY_USAGE[use]);
        else throw new Error(`allowedUses: "${use}" is not emulated or not a valid use (values are snake_case)`);
    }
    const isCa = inputs.isCaCertificate === true;
    if (isCa && selfSigned && !inputs.subject) throw new Error("a CA certificate needs a non-empty subject");
    const lines = [`basicConstraints=critical,CA:${isCa ? "TRUE" : "FALSE"}`];
    if (keyUsage.length) lines.push(`keyUsage=critical,${keyUsage.join(",")}`);
    if (extKeyUsage.length) lines.push(`extendedKeyUsage=${extKeyUsage.join(",")}`);
    if (isCa || inputs.setSubjectKeyId) lines.push("subjectKeyIdentifier=hash");
    // Go copies the issuer's key id into every certificate it signs for someone else.
    if (!selfSigned) lines.push("authorityKeyIdentifier=keyid");
    if (selfSigned && inputs.setAuthorityKeyId) lines.push("authorityKeyIdentifier=keyid");
    return `${lines.join("\n")}\n`;
}

function sanLine(inputs: Inputs): string {
    const names = [
        ...(inputs.dnsNames ?? []).map((n: string) => `DNS:${n}`),
        ...(inputs.ipAddresses ?? []).map((ip: string) => `IP:${ip}`),
        ...(inputs.uris ?? []).map((u: string) => `URI:${u}`),
    ];
    return names.length ? `subjectAltName=${names.join(",")}\n` : "";
}

function subjectArg(subject: Record<string, unknown> | undefined): string {
    const parts: string[] = [];
    for (const [field, short] of SUBJECT_FIELDS) {
        const value = subject?.[field];
        if (typeof value === "string" && value !== "") parts.push(`/${short}=${value.replace(/([/,+\\])/g, "\\$1")}`);
    }
    if (subject?.streetAddresses) throw new Error("subject.streetAddresses is not emulated");
    return parts.join("") || "/";
}

function days(inputs: Inputs): string {
    const hours = inputs.validityPeriodHours;
    if (!Number.isInteger(hours) || hours <= 0 || hours % 24 !== 0) {
        throw new Error(`validityPeriodHours ${hours}: only whole days are emulated (openssl 3.0 takes -days)`);
    }
    return String(hours / 24);
}

function certOutputs(inputs: Inputs, certPem: string, serial: bigint): Outputs {
    const start = new Date();
    const end = new Date(start.getTime() + inputs.validityPeriodHours * 3600_000);
    const early = inputs.earlyRenewalHours ?? 0;
    return {
        id: serial.toString(10),
        state: {
            ...inputs,
            certPem,
            validityStartTime: start.toISOString().replace(/\.\d{3}Z$/, "Z"),
            validityEndTime: end.toISOString().replace(/\.\d{3}Z$/, "Z"),
            readyForRenewal: early >= inputs.validityPeriodHours,
        },
    };
}

function randomSerial(): bigint {
    // Go draws the serial from [0, 2^128); openssl wants it positive.
    return BigInt(`0x${randomBytes(16).toString("hex")}`) || 1n;
}

function pemBody(pem: string): Buffer {
    return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function writeFile(dir: string, name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
}

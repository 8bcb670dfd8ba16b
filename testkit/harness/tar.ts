// A one-file ustar archive, built the way the Docker provider builds an upload: the absolute path
// as the name, uid/gid 0 with no user or group names, the given mode, and mtime now.

function octal(value: number, width: number): string {
    return value.toString(8).padStart(width - 1, "0") + "\0";
}

export function singleFileTar(path: string, content: Buffer, mode: number): Buffer {
    if (Buffer.byteLength(path) > 100) throw new Error(`upload path longer than 100 bytes is not emulated: ${path}`);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100, "utf8");
    header.write(octal(mode, 8), 100);
    header.write(octal(0, 8), 108); // uid
    header.write(octal(0, 8), 116); // gid
    header.write(octal(content.length, 12), 124);
    header.write(octal(Math.floor(Date.now() / 1000), 12), 136);
    header.write("        ", 148); // checksum placeholder: eight spaces while summing
    header.write("0", 156); // regular file
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + " ", 148);
    const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
    return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

// A YAML writer for the two files the program renders (scrape config, alert rules): block maps and
// lists of scalars. Every string is written double-quoted in JSON syntax, which YAML reads as the
// same string, so no value (a PromQL expression with `{`, `:` or `#`) can change the structure.

/** What the writer accepts: plain data, no cycles. */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** Renders `value` as a YAML document (with a trailing newline), keys in insertion order. */
export function toYaml(value: YamlValue): string {
    return `${lines(value, 0).join("\n")}\n`;
}

function scalar(value: string | number | boolean): string {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`${value} has no YAML form here`);
    return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function isScalar(value: YamlValue): value is string | number | boolean {
    return typeof value !== "object";
}

function lines(value: YamlValue, indent: number): string[] {
    const pad = " ".repeat(indent);
    if (isScalar(value)) return [`${pad}${scalar(value)}`];
    if (Array.isArray(value)) {
        if (value.length === 0) return [`${pad}[]`];
        return value.flatMap((item: YamlValue) => {
            if (isScalar(item)) return [`${pad}- ${scalar(item)}`];
            const inner = lines(item, indent + 2);
            // The first line of the item goes after the dash.
            return [`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1)];
        });
    }
    const entries = Object.entries(value as Record<string, YamlValue | undefined>).filter(([, v]) => v !== undefined) as [string, YamlValue][];
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, item]) => {
        const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
        if (isScalar(item) || (Array.isArray(item) && item.length === 0) || (!Array.isArray(item) && Object.keys(item).length === 0)) {
            return [`${pad}${name}: ${lines(item, 0)[0]}`];
        }
        return [`${pad}${name}:`, ...lines(item, indent + 2)];
    });
}

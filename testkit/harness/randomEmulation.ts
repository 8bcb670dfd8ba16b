// random.RandomPassword as hashicorp/terraform-provider-random generates it: crypto randomness,
// each class's minimum drawn from that class, the rest from the enabled classes, then shuffled.
import { randomInt } from "node:crypto";

const CLASSES = {
    upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    lower: "abcdefghijklmnopqrstuvwxyz",
    numeric: "0123456789",
    special: "!@#$%&*()-_=+[]{}<>:?",
};

export function createRandomPassword(inputs: Record<string, any>): { id: string; state: Record<string, unknown> } {
    if (inputs.keepers !== undefined && typeof inputs.keepers !== "object") throw new Error("keepers must be a map");
    const length: number = inputs.length;
    const special = inputs.overrideSpecial ?? CLASSES.special;
    const classes = [
        { chars: CLASSES.upper, enabled: inputs.upper ?? true, min: inputs.minUpper ?? 0 },
        { chars: CLASSES.lower, enabled: inputs.lower ?? true, min: inputs.minLower ?? 0 },
        { chars: CLASSES.numeric, enabled: inputs.numeric ?? true, min: inputs.minNumeric ?? 0 },
        { chars: special, enabled: inputs.special ?? true, min: inputs.minSpecial ?? 0 },
    ];
    const minimums = classes.reduce((sum, c) => sum + c.min, 0);
    if (!Number.isInteger(length) || length < 1 || length < minimums) {
        throw new Error(`RandomPassword: length ${length} must be >= 1 and >= the sum of the minimums (${minimums})`);
    }
    const pick = (chars: string) => chars[randomInt(chars.length)];
    const result: string[] = [];
    for (const c of classes) for (let i = 0; i < c.min; i++) result.push(pick(c.chars));
    const pool = classes.filter((c) => c.enabled).map((c) => c.chars).join("");
    while (result.length < length) result.push(pick(pool));
    for (let i = result.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [result[i], result[j]] = [result[j], result[i]];
    }
    // bcryptHash is not produced: nothing here reads it, and node has no bcrypt.
    return { id: "none", state: { ...inputs, result: result.join("") } };
}

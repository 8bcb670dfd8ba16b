// How every bench command ends: its main's exit code (0 when it returns none), or 1 with the stack
// of what it threw. The explicit exit also ends Docker and Redis handles a run may leave open.
export function runMain(main: () => Promise<number | void>): void {
    main().then(
        (code) => process.exit(code ?? 0),
        (error) => {
            process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
            process.exit(1);
        },
    );
}

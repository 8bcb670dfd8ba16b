// Loads index.ts the way Pulumi's Node language host does for a TypeScript project: ts-node
// (Pulumi's vendored 7.0.1 unless the project has one) with the project's typescript and
// tsconfig.json, type checking on. Runs it under mocks with the config given as JSON in argv[2]
// and prints the registered resource types as JSON.
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
const tsutils = require(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly: compilerOptions.noCheck,
    project: "tsconfig.json",
    skipProject: false,
    compilerOptions: {},
});
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setAllConfig(JSON.parse(process.argv[2]));
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push(args.type);
            // A password per resource: the users file refuses two users sharing one.
            const result = `pw${args.name.replace(/[^A-Za-z0-9]/g, "")}`;
            return { id: `${args.name}-id`, state: { ...args.inputs, imageId: "sha256:fake", certPem: "cert", privateKeyPem: "key", certRequestPem: "csr", result } };
        },
        call: () => ({}),
    },
    "redis-chain",
    "dev",
    false,
);
const program = require(path.join(root, "index.ts"));
pulumi.output(program).apply(() => console.log(JSON.stringify(registered.sort())));

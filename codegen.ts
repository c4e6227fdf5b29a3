import type { CodegenConfig } from '@graphql-codegen/cli';

// GraphQL Code Generator for the integrator examples: reads the schema the server serves
// (schema.graphql, written by `npm run schema:print`) and the graphql(`...`) operations in
// examples/, and writes typed documents (TypedDocumentNode) into examples/generated/.
// `npm run codegen` regenerates; the generated files are committed, and
// test/examples/codegen.test.ts fails when they are not current.

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/**/*.ts', '!examples/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    'examples/generated/': {
      preset: 'client',
      presetConfig: {
        // Whole fragments in the results: a script reads its data plainly.
        fragmentMasking: false,
      },
      config: {
        // Strict ESM (NodeNext) wants the extension on relative imports.
        importExtension: '.js',
        useTypeImports: true,
        // Enums as string unions ('EMAIL' | 'WHATSAPP' | ...), no runtime enum objects.
        enumsAsTypes: true,
        // Only what the operations use, not the whole schema.
        onlyOperationTypes: true,
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};

export default config;

import { writeSchemaFile, SCHEMA_FILE } from './schema.js';

await writeSchemaFile();
console.log(`wrote ${SCHEMA_FILE.pathname}`);

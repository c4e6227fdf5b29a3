import fs from 'node:fs';
import {
  buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isUnionType,
  type GraphQLNamedType, type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, heraldSchema, printHeraldSchema } from '../src/graphql/schema.js';

// The contract in docs/contract.graphql binds names and shapes: everything in it must be
// served with the same type. What later issues deliver is listed in PENDING, and each issue
// removes its own names; a pending name that is served already fails too, so the list shrinks.

const CONTRACT = new URL('../docs/contract.graphql', import.meta.url);

const PENDING = new Set<string>([
  // realtime, inbound and supervision (issue 5)
]);

type Problem = string;

function typeKind(t: GraphQLNamedType): string {
  if (isObjectType(t)) return 'object';
  if (isInputObjectType(t)) return 'input';
  if (isEnumType(t)) return 'enum';
  if (isScalarType(t)) return 'scalar';
  if (isInterfaceType(t)) return 'interface';
  if (isUnionType(t)) return 'union';
  return 'unknown';
}

export function contractProblems(contract: GraphQLSchema, served: GraphQLSchema): { missing: Problem[]; served: string[] } {
  const missing: Problem[] = [];
  const servedPending: string[] = [];
  const check = (name: string, ok: boolean, problem: string) => {
    if (PENDING.has(name)) {
      if (ok) servedPending.push(name);
    } else if (!ok) {
      missing.push(problem);
    }
  };
  for (const expected of Object.values(contract.getTypeMap())) {
    if (expected.name.startsWith('__')) continue;
    const actual = served.getType(expected.name);
    if (!actual || typeKind(actual) !== typeKind(expected)) {
      check(expected.name, false, `${expected.name}: missing or not a ${typeKind(expected)}`);
      continue;
    }
    if (PENDING.has(expected.name)) {
      servedPending.push(expected.name);
      continue;
    }
    if (isEnumType(expected) && isEnumType(actual)) {
      for (const v of expected.getValues()) {
        check(`${expected.name}.${v.name}`, actual.getValue(v.name) !== undefined, `${expected.name}.${v.name}: enum value missing`);
      }
    }
    if ((isObjectType(expected) && isObjectType(actual)) || (isInputObjectType(expected) && isInputObjectType(actual))) {
      const actualFields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const name = `${expected.name}.${field.name}`;
        const got = actualFields[field.name];
        if (!got || String(got.type) !== String(field.type)) {
          check(name, false, `${name}: expected ${String(field.type)}, served ${got ? String(got.type) : 'nothing'}`);
          continue;
        }
        if (PENDING.has(name)) servedPending.push(name);
        if ('args' in field && 'args' in got) {
          for (const arg of field.args) {
            const a = got.args.find((x) => x.name === arg.name);
            const same = a && String(a.type) === String(arg.type) && JSON.stringify(a.defaultValue) === JSON.stringify(arg.defaultValue);
            if (!same) missing.push(`${name}(${arg.name}): expected ${String(arg.type)}${arg.defaultValue !== undefined ? ` = ${JSON.stringify(arg.defaultValue)}` : ''}, served ${a ? `${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}` : 'nothing'}`);
          }
        }
      }
    }
  }
  return { missing, served: servedPending };
}

describe('GraphQL contract', () => {
  it('serves every name of docs/contract.graphql with the contract\'s type (except the pending list)', async () => {
    expect(fs.existsSync(CONTRACT), `the contract is expected at ${CONTRACT.pathname}`).toBe(true);
    const contract = buildSchema(fs.readFileSync(CONTRACT, 'utf8'));
    const { missing, served } = contractProblems(contract, await heraldSchema());
    expect(missing, 'served schema differs from the contract').toEqual([]);
    expect(served, 'these are served now: remove them from PENDING').toEqual([]);
  });

  it('the committed schema.graphql is exactly what the server serves (npm run schema:print)', async () => {
    const printed = printHeraldSchema(await heraldSchema());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(printed);
  });

  it('the check itself catches a renamed field, a changed type and a missing enum value', () => {
    const contract = buildSchema('type Query { a: String!  b(x: Int = 1): Int }  enum E { X Y }  type T { e: E }');
    const served = buildSchema('type Query { a: String  c: Int  b(x: Int = 2): Int }  enum E { X }  type T { e: E }');
    expect(contractProblems(contract, served).missing).toEqual([
      'Query.a: expected String!, served String',
      'Query.b(x): expected Int = 1, served Int = 2',
      'E.Y: enum value missing',
    ]);
  });
});

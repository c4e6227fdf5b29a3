import type { Channel, TemplateRequirement, TemplateVariableType } from './enums.js';
import { userError, type UserError } from './errors.js';

// R14–R16: which template may be chosen, and whether its variables are filled and typed.

export interface TemplateVariableSpec {
  key: string;
  type: TemplateVariableType;
  label: string | null;
  options: string[] | null;
}

export interface TemplateSpec {
  channel: Channel;
  name: string;
  header: string | null;
  body: string;
  footer: string | null;
  textOnly: boolean;
  variables: TemplateVariableSpec[];
}

const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)\S+/i;

/** R14: a text template has no attachment, link or button. */
export function isTextOnly(content: { text: string; header?: string | null; footer?: string | null; attachment?: unknown; buttons?: unknown[] | null }): boolean {
  if (content.attachment) return false;
  if (content.buttons && content.buttons.length > 0) return false;
  return ![content.text, content.header ?? '', content.footer ?? ''].some((t) => URL_IN_TEXT.test(t));
}

/** YYYY-MM-DD naming a real day: 2026-02-30 is not one, 2024-02-29 is. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkValue(spec: TemplateVariableSpec, value: string, field: string[]): UserError | null {
  const label = spec.label ?? spec.key;
  switch (spec.type) {
    case 'TEXT':
      return value.trim() === '' ? userError('TEMPLATE_VARIABLE_MISSING', `Fill in "${label}".`, field) : null;
    case 'SELECT':
      return spec.options?.includes(value) ? null : userError('TEMPLATE_VARIABLE_INVALID', `"${label}" must be one of: ${(spec.options ?? []).join(', ')}.`, field);
    case 'DATE':
      return isCalendarDate(value) ? null : userError('TEMPLATE_VARIABLE_INVALID', `"${label}" must be a real date as YYYY-MM-DD; "${value}" is not.`, field);
  }
}

export function checkTemplate(
  template: TemplateSpec,
  values: ReadonlyArray<{ key: string; value: string }>,
  channel: Channel,
  requirement: TemplateRequirement,
): UserError[] {
  if (template.channel !== channel) {
    return [userError('TEMPLATE_NOT_SUPPORTED_ON_CHANNEL', `The template "${template.name}" is registered for ${template.channel}, not ${channel}.`, ['template', 'templateId'])];
  }
  const errors: UserError[] = [];
  if (requirement === 'MANDATORY' && !template.textOnly) {
    errors.push(userError('TEMPLATE_NOT_TEXT_ONLY', `Outside the session window only text templates can be sent; "${template.name}" has an attachment, a link or buttons.`, ['template', 'templateId']));
  }
  const given = new Map<string, string>();
  for (const v of values) given.set(v.key, v.value);
  for (const spec of template.variables) {
    const field = ['template', 'variables', spec.key];
    const value = given.get(spec.key);
    if (value === undefined) {
      errors.push(userError('TEMPLATE_VARIABLE_MISSING', `Fill in "${spec.label ?? spec.key}".`, field));
      continue;
    }
    const problem = checkValue(spec, value, field);
    if (problem) errors.push(problem);
  }
  const known = new Set(template.variables.map((v) => v.key));
  for (const key of given.keys()) {
    if (!known.has(key)) errors.push(userError('TEMPLATE_VARIABLE_INVALID', `The template "${template.name}" has no variable "${key}".`, ['template', 'variables', key]));
  }
  return errors;
}

export interface RenderedTemplate {
  header: string | null;
  body: string;
  footer: string | null;
  /** Values in variable order, as edna's textVariables. */
  textVariables: string[];
  /** Values of the placeholders that stand in the header, as edna's headerVariables. */
  headerVariables: string[];
}

/** Placeholders {{1}}, {{2}}… are the variables in their order; the text around them is fixed. */
export function renderTemplate(template: TemplateSpec, values: ReadonlyArray<{ key: string; value: string }>): RenderedTemplate {
  const byKey = new Map(values.map((v) => [v.key, v.value]));
  const ordered = template.variables.map((v) => byKey.get(v.key) ?? '');
  const fill = (text: string) => text.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => ordered[Number(n) - 1] ?? whole);
  const headerPlaceholders = [...(template.header ?? '').matchAll(/\{\{(\d+)\}\}/g)].map((m) => ordered[Number(m[1]) - 1] ?? '');
  return {
    header: template.header ? fill(template.header) : null,
    body: fill(template.body),
    footer: template.footer ? fill(template.footer) : null,
    textVariables: ordered,
    headerVariables: headerPlaceholders,
  };
}

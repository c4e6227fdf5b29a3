import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics.js';

// deploy/grafana/dashboards/herald.json is provisioned as is (compose profile `observability`):
// it must name the Prometheus data source by its fixed uid, and every metric its queries use must
// be one Herald exports (src/metrics.ts, prom-client's default metrics with prefix herald_) or one
// the Temporal SDK exports. A renamed metric otherwise leaves an empty panel nobody notices.

const raw = readFileSync(new URL('../../deploy/grafana/dashboards/herald.json', import.meta.url), 'utf8');

interface DataSourceRef { type?: string; uid?: string }
interface Target { refId?: string; expr?: string; datasource?: DataSourceRef }
interface Panel { id?: number; type: string; title?: string; datasource?: DataSourceRef; targets?: Target[]; panels?: Panel[]; gridPos?: { h: number; w: number; x: number; y: number } }
interface Variable { name: string; type: string; query?: unknown; datasource?: DataSourceRef; multi?: boolean; includeAll?: boolean }
interface Dashboard { uid?: string; title?: string; schemaVersion?: number; panels?: Panel[]; templating?: { list?: Variable[] }; __inputs?: unknown }

const dashboard = JSON.parse(raw) as Dashboard;

/** Every panel, rows' children included (a collapsed row keeps its panels inside it). */
const allPanels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
const rows = allPanels.filter((p) => p.type === 'row');
const queryPanels = allPanels.filter((p) => p.type !== 'row');
const targets = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '', ...t })));
const variables = dashboard.templating?.list ?? [];
const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : String((v.query as { query?: unknown } | undefined)?.query ?? ''));
/** Every PromQL text in the dashboard: the panels' targets and the variables' queries. */
const expressions = [...targets.map((t) => ({ where: t.panel, expr: t.expr ?? '' })), ...variables.map((v) => ({ where: `$${v.name}`, expr: variableQuery(v) }))];

const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/**
 * The Temporal SDK's worker metrics the dashboard uses, checked against @temporalio/core-bridge
 * 1.24.0's own sdk-core (node_modules/@temporalio/core-bridge/sdk-core/crates/sdk-core/src/telemetry/metrics.rs
 * and crates/common/src/telemetry/metrics.rs; its integration tests assert e.g.
 * `temporal_worker_task_slots_available{…,worker_type="WorkflowWorker"}` and
 * `temporal_activity_schedule_to_start_latency_count`) and the SDK metrics reference
 * (https://docs.temporal.io/references/sdk-metrics). Names carry the default `temporal_` prefix;
 * Herald's runtime (src/temporal/runtime.ts) keeps the Prometheus exporter's defaults: counters
 * without `_total`, no unit suffix, durations in milliseconds.
 */
const TEMPORAL_METRICS: Record<string, 'histogram' | 'counter' | 'gauge'> = {
  temporal_workflow_task_schedule_to_start_latency: 'histogram',
  temporal_activity_schedule_to_start_latency: 'histogram',
  temporal_activity_execution_latency: 'histogram',
  temporal_workflow_completed: 'counter',
  temporal_workflow_failed: 'counter',
  temporal_activity_execution_failed: 'counter',
  temporal_worker_task_slots_available: 'gauge',
  temporal_sticky_cache_size: 'gauge',
};

interface Use { name: string; where: string; expr: string; index: number }

function metricUses(prefix: 'herald' | 'temporal'): Use[] {
  const pattern = new RegExp(`\\b${prefix}_[a-z0-9_]+`, 'g');
  return expressions.flatMap(({ where, expr }) => [...expr.matchAll(pattern)].map((m) => ({ name: m[0], where, expr, index: m.index })));
}

/**
 * The type of one of Herald's metrics (counter, gauge, histogram), if it is one: registered
 * (getSingleMetric) and as collected (getMetricsAsJSON, which also covers lazily collected ones).
 */
async function heraldMetricType(name: string): Promise<string | undefined> {
  const collected = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!registry.getSingleMetric(name) && !collected) return undefined;
  // prom-client's typings call the type an enum; at run time it is the exposition's word.
  return collected ? String(collected.type) : 'unknown';
}

/** The name as exported and its base: a histogram's series end in _bucket, _sum or _count. */
async function resolveHerald(name: string): Promise<{ base: string; type: string | undefined; series: string }> {
  const type = await heraldMetricType(name);
  if (type) return { base: name, type, series: '' };
  const base = name.replace(HISTOGRAM_SUFFIX, '');
  return { base, type: base === name ? undefined : await heraldMetricType(base), series: name.slice(base.length) };
}

function resolveTemporal(name: string): { base: string; type: string | undefined; series: string } {
  if (TEMPORAL_METRICS[name]) return { base: name, type: TEMPORAL_METRICS[name], series: '' };
  const base = name.replace(HISTOGRAM_SUFFIX, '');
  return { base, type: base === name ? undefined : TEMPORAL_METRICS[base], series: name.slice(base.length) };
}

/**
 * Counters and histogram buckets only make sense under rate(); gauges never do. (A variable's
 * label_values(…) only selects series: any metric will do there.)
 */
function checkUse(use: Use, resolved: { type: string | undefined; series: string }): void {
  if (use.expr.startsWith('label_values(')) return;
  const inRate = use.expr.slice(0, use.index).endsWith('rate(');
  const label = `${use.name} in "${use.where}": ${use.expr}`;
  if (resolved.type === 'counter' || resolved.series === '_bucket') expect(inRate, label).toBe(true);
  if (resolved.type === 'gauge') expect(inRate, label).toBe(false);
  if (resolved.type === 'histogram') expect(resolved.series, `${label}: a histogram is queried through _bucket, _sum or _count`).not.toBe('');
  if (resolved.series) expect(resolved.type, `${label}: only a histogram has ${resolved.series}`).toBe('histogram');
}

describe('Grafana dashboard deploy/grafana/dashboards/herald.json', () => {
  it('is a dashboard Grafana provisions as is: title, uid, schema version, no ${DS} inputs', () => {
    expect(dashboard.title).toBe('Herald');
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.__inputs).toBeUndefined();
    expect(raw).not.toMatch(/\$\{DS|\$\{datasource/i);
  });

  it('has the rows Sends, API, Realtime, Process and database, Temporal workers', () => {
    expect(rows.map((r) => r.title)).toEqual(['Sends', 'API', 'Realtime', 'Process and database', 'Temporal workers']);
  });

  it('every panel has queries, a unique id and a place on the 24-column grid', () => {
    expect(queryPanels.length).toBeGreaterThanOrEqual(15);
    const ids = allPanels.map((p) => p.id);
    expect(new Set(ids).size, 'unique panel ids').toBe(ids.length);
    for (const panel of queryPanels) {
      expect(panel.title, `panel ${panel.id}`).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, `${panel.title}: unique refIds`).toBe(refIds.length);
      for (const target of panel.targets!) expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
      const grid = panel.gridPos!;
      expect(grid.x + grid.w, panel.title).toBeLessThanOrEqual(24);
    }
  });

  it('every panel, target and variable uses the provisioned Prometheus data source (uid prometheus)', () => {
    for (const panel of queryPanels) expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: 'prometheus' });
    for (const target of targets) expect(target.datasource, `${target.panel} ${target.refId}`).toEqual({ type: 'prometheus', uid: 'prometheus' });
    for (const variable of variables) expect(variable.datasource, `$${variable.name}`).toEqual({ type: 'prometheus', uid: 'prometheus' });
  });

  it('has the variables channel (multi, All, from herald_sends_total) and instance, and uses no other', () => {
    const channel = variables.find((v) => v.name === 'channel');
    expect(channel).toMatchObject({ type: 'query', multi: true, includeAll: true });
    expect(variableQuery(channel!).replace(/\s+/g, '')).toBe('label_values(herald_sends_total,channel)');
    const instance = variables.find((v) => v.name === 'instance');
    expect(instance).toMatchObject({ type: 'query', includeAll: true });
    expect(variableQuery(instance!)).toMatch(/^label_values\(.+,\s*instance\)$/);
    const defined = new Set(variables.map((v) => v.name));
    for (const { where, expr } of expressions) {
      for (const [, name] of expr.matchAll(/\$\{?([a-zA-Z_]\w*)/g)) expect(defined.has(name!) || name!.startsWith('__'), `$${name} in ${where}`).toBe(true);
    }
  });

  it('uses rate() over 5m and histogram_quantile over sum by (le, …)', () => {
    for (const { where, expr } of expressions) {
      for (const [window] of expr.matchAll(/\[[^\]]+\]/g)) expect(window, where).toBe('[5m]');
      const quantiles = [...expr.matchAll(/histogram_quantile\(/g)].length;
      const wellFormed = [...expr.matchAll(/histogram_quantile\(\s*0?\.\d+\s*,\s*sum by \(([^)]*)\)\s*\(rate\([a-z0-9_]+_bucket\{/g)];
      expect(wellFormed.length, `${where}: ${expr}`).toBe(quantiles);
      for (const [, by] of wellFormed) expect(by!.split(',').map((l) => l.trim()), `${where}: ${expr}`).toContain('le');
    }
  });

  it("every herald_* metric it queries is in Herald's registry, used as its type allows", async () => {
    const uses = metricUses('herald');
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      const resolved = await resolveHerald(use.name);
      expect(resolved.type, `${use.name} (in "${use.where}") is not a metric of src/metrics.ts`).toBeDefined();
      checkUse(use, resolved);
    }
  });

  it("shows every one of Herald's own metrics (not prom-client's defaults)", async () => {
    const used = new Set<string>();
    for (const use of metricUses('herald')) used.add((await resolveHerald(use.name)).base);
    const own = (await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !/^herald_(process|nodejs)_/.test(n));
    expect(own.length).toBeGreaterThanOrEqual(8);
    for (const name of own) expect(used.has(name), `${name} has no panel`).toBe(true);
    for (const name of ['herald_process_cpu_seconds_total', 'herald_process_resident_memory_bytes', 'herald_nodejs_eventloop_lag_seconds', 'herald_nodejs_heap_size_used_bytes']) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it('every temporal_* metric it queries is one verified in the Temporal SDK, used as its type allows', () => {
    const uses = metricUses('temporal');
    const used = new Set<string>();
    for (const use of uses) {
      const resolved = resolveTemporal(use.name);
      expect(resolved.type, `${use.name} (in "${use.where}") is not a verified Temporal SDK metric`).toBeDefined();
      checkUse(use, resolved);
      used.add(resolved.base);
    }
    expect([...used].sort()).toEqual(Object.keys(TEMPORAL_METRICS).sort());
  });
});

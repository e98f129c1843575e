// /metrics in Prometheus text format (prom-client, its own registry: nothing global). Gauges of the
// cache are computed when scraped, not kept up to date on every event.
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Registry } from 'prom-client';

export interface CacheView {
  inScope(): number;
  compliant(): number;
}

export class WatchMetrics {
  readonly registry = new Registry();
  readonly created: Counter<'template'>;
  readonly writes: Counter<'verb' | 'resource'>;
  readonly refused: Counter<'kind'>;
  readonly restarts: Counter<'resource' | 'reason'>;
  readonly apiErrors: Counter<'code'>;
  readonly lastSync: Gauge;
  readonly leader: Gauge;

  constructor(view: CacheView) {
    const registers = [this.registry];
    new Gauge({ name: 'cis_netpol_namespaces_in_scope', help: 'Namespaces in scope (not skipped: system, excluded, terminating)', registers, collect() { this.set(view.inScope()); } });
    new Gauge({ name: 'cis_netpol_namespaces_compliant', help: 'Namespaces in scope that have at least one NetworkPolicy', registers, collect() { this.set(view.compliant()); } });
    this.created = new Counter({ name: 'cis_netpol_placeholders_created_total', help: 'Placeholders created by this process', labelNames: ['template'], registers });
    this.writes = new Counter({ name: 'cis_netpol_writes_total', help: 'Write requests sent to the API server (creates and deletes of NetworkPolicies), whatever their outcome', labelNames: ['verb', 'resource'], registers });
    this.refused = new Counter({ name: 'cis_netpol_refused_total', help: 'Placeholders the connectivity proof refused (per namespace and reason, counted once until the reason changes)', labelNames: ['kind'], registers });
    this.restarts = new Counter({ name: 'cis_netpol_watch_restarts_total', help: 'Watches started again: closed by the server, gone (410: list again) or error', labelNames: ['resource', 'reason'], registers });
    this.apiErrors = new Counter({ name: 'cis_netpol_api_errors_total', help: 'Failed API requests, by HTTP status (or the failure kind when there is none)', labelNames: ['code'], registers });
    this.lastSync = new Gauge({ name: 'cis_netpol_last_sync_timestamp_seconds', help: 'When the cache was last known current (a list, an event or a bookmark)', registers });
    this.leader = new Gauge({ name: 'cis_netpol_leader', help: '1 while this process may write (the leader, or no leader election)', registers });
    // The V8 heap, read when scraped (prom-client's default metrics would add timers and GC
    // observers for the rest): what a long soak's memory is made of, apart from the executable's floor.
    new Gauge({ name: 'nodejs_heap_size_used_bytes', help: 'V8 heap in use (live data and garbage not yet collected)', registers, collect() { this.set(getHeapStatistics().used_heap_size); } });
    new Gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap reserved (what the RSS holds for it)', registers, collect() { this.set(getHeapStatistics().total_heap_size); } });
  }

  apiError(err: Error): void {
    const e = err as { status?: number; kind?: string };
    this.apiErrors.inc({ code: e.status ? String(e.status) : (e.kind ?? 'Other') });
  }
}

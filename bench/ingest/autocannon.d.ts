/** The part of autocannon's API the ingest benchmark uses (the package ships no types). */
declare module 'autocannon' {
  export interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
    max: number;
    total: number;
  }
  export interface RequestSpec {
    method?: string;
    path?: string;
    setupRequest?: (request: { path: string; method: string }, context: Record<string, unknown>) => { path: string; method: string };
  }
  export interface Options {
    url: string;
    connections: number;
    duration: number;
    pipelining?: number;
    requests?: RequestSpec[];
    timeout?: number;
    /** Requests per second over all connections (fixed-rate load; latencies corrected for coordinated omission). */
    overallRate?: number;
  }
  export interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    duration: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}

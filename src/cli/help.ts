/**
 * The `--help` texts, with examples.
 *
 * @module
 */

const SHARED = `Options (each also from an environment variable, flags win):
  -n, --namespace <ns>        Service namespace            HEADLESS_DISCOVERY_NAMESPACE   (default: POD_NAMESPACE, the pod's namespace, default)
  -p, --port <name|number>    named port → SRV, number → A  HEADLESS_DISCOVERY_PORT
      --protocol <tcp|udp|sctp>  protocol of a named port   HEADLESS_DISCOVERY_PROTOCOL    (default: tcp)
      --cluster-domain <zone> cluster DNS zone              HEADLESS_DISCOVERY_CLUSTER_DOMAIN (default: from resolv.conf, else cluster.local)
      --nameserver <ip[:port]>  DNS server, repeatable      HEADLESS_DISCOVERY_NAMESERVERS (default: resolv.conf)
      --pod-name <name>       this pod                      HEADLESS_DISCOVERY_POD_NAME    (default: POD_NAME, HOSTNAME)
      --ordinal-start <n>     StatefulSet .spec.ordinals.start  HEADLESS_DISCOVERY_ORDINAL_START (default: 0)
      --expected-replicas <n> members expected              HEADLESS_DISCOVERY_EXPECTED_REPLICAS
      --interval <ms>         time between polls            HEADLESS_DISCOVERY_INTERVAL_MS (default: 5000)
      --readiness <probe>     tcp | tcp:<port> | http:[<port>]<path>  HEADLESS_DISCOVERY_READINESS
      --include-not-ready     not-ready peers are members   HEADLESS_DISCOVERY_INCLUDE_NOT_READY
      --resolv-conf <path>    read this file as resolv.conf HEADLESS_DISCOVERY_RESOLV_CONF (default: /etc/resolv.conf)
      --json                  machine-readable output       HEADLESS_DISCOVERY_JSON
  -h, --help                  this help`;

/** Help of each command, and of the command itself. */
export const HELP = {
  main: `headless-discovery: see and diagnose the peers behind a Kubernetes headless Service.

Usage:
  headless-discovery watch <service> [options]    live membership (table on a terminal, NDJSON otherwise)
  headless-discovery doctor <service> [options]   check DNS, SRV, per-pod names, readiness and ordinals
  headless-discovery demo                         a scripted demo against a fake cluster DNS on loopback
  headless-discovery --version | --help
  headless-discovery <command> --help

Exit codes: 0 ok, 1 a check failed (doctor), 2 usage error.`,
  watch: `Usage: headless-discovery watch <service> [options]

Polls the Service's DNS and shows the peers as the library sees them: ordinal, name, addresses,
port, readiness, sources, ★ the seed, › this pod, and a line per event (join, leave, update,
ready, unready, seed, stale, fresh, error) with a timestamp and the stale/complete state.
With --json, or when stdout is not a terminal, prints one JSON object per event (NDJSON).
Ctrl-C exits (code 0).

${SHARED}

Examples:
  headless-discovery watch mysql --port mysql
  headless-discovery watch mysql -n prod --port 3306 --readiness tcp
  headless-discovery watch mysql --port mysql --json | jq -c 'select(.event == "leave")'
  HEADLESS_DISCOVERY_SERVICE=mysql HEADLESS_DISCOVERY_PORT=mysql headless-discovery watch`,
  doctor: `Usage: headless-discovery doctor <service> [options]

Runs, in order, the checks an experienced engineer would run and prints each as PASS, WARN or
FAIL with the evidence and the fix: resolv.conf, the Service name, the SRV record, per-pod names,
PTR records, UDP truncation, TTLs, this pod in its own Service, ordinals and the seed.
Exit code 0 when nothing failed, 1 when a check failed, 2 for usage errors.

${SHARED}

Examples:
  headless-discovery doctor mysql --port mysql
  headless-discovery doctor mysql -n prod --port mysql --json`,
  demo: `Usage: headless-discovery demo

Starts a fake cluster DNS on loopback (a "mysql" StatefulSet behind a headless Service) and a
discovery, then scales 0 → 3 → 5 → 2, restarts a pod with a new IP and takes the DNS down for a
moment, printing every event. Sends no traffic outside loopback. Ends by itself.`,
} as const;

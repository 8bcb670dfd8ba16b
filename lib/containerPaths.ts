// Where the program puts files inside each Redis container.

/** The rendered config; root-owned 0644 is fine, it holds no secret. */
export const REDIS_CONF_PATH = "/usr/local/etc/redis/redis.conf";

/** Data directory: the named volume, and the official image's working directory. */
export const DATA_DIR = "/data";

// The official image's entrypoint hands only what lies under /data to the `redis` user (uid 999)
// before dropping root, and uploads arrive owned by root; a 0600 key anywhere else is unreadable.
export const TLS_DIR = `${DATA_DIR}/tls`;
export const TLS_CERT_PATH = `${TLS_DIR}/redis.crt`;
export const TLS_KEY_PATH = `${TLS_DIR}/redis.key`;
export const TLS_CA_PATH = `${TLS_DIR}/ca.crt`;

// Secrets live under /data for the same reason as the TLS key, and outside redis.conf so that the
// config stays public and reviewable.
export const SECRETS_DIR = `${DATA_DIR}/secrets`;
/** Passwords and ACL users, included at the end of redis.conf. */
export const AUTH_CONF_PATH = `${SECRETS_DIR}/auth.conf`;
/** The healthcheck user's password, read by the healthcheck command. */
export const HEALTHCHECK_PASSWORD_PATH = `${SECRETS_DIR}/healthcheck.pass`;

/** A sentinel's declared config as uploaded (secret: it holds passwords); copied into the volume at start. */
export const SENTINEL_DECLARED_CONF_PATH = "/usr/local/etc/redis/sentinel.conf";
/** The config a sentinel runs on and rewrites with its state: in its volume, so it survives replacement. */
export const SENTINEL_LIVE_CONF_PATH = `${DATA_DIR}/sentinel.conf`;
/** The fence user's password, for a failover candidate's write fence (lib/writeFence.ts), which runs as uid 999. */
export const FENCE_PASSWORD_PATH = `${SECRETS_DIR}/fence.pass`;
/** The sentinel password, for a sentinel's healthcheck and a node's start lines. */
export const SENTINEL_PASSWORD_PATH = `${SECRETS_DIR}/sentinel.pass`;

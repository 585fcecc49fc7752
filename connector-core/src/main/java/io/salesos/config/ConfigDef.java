package io.salesos.config;

import io.salesos.config.ConfigKey.Type;
import io.salesos.config.ConfigKey.Validator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every key of a salesos configuration file, declared once (after Kafka's ConfigDef): the parser
 * takes allowed keys, defaults and validation from here and {@code salesos config docs} renders
 * docs/configuration.md from it, so the two cannot drift apart.
 */
public final class ConfigDef {

  // Declared before the keys: static fields initialise in textual order and each key adds itself.
  private static final List<ConfigKey> KEYS = new ArrayList<>();

  private static final Validator ANY = new Validator.Any();
  private static final Validator POSITIVE = new Validator.Range(1, Integer.MAX_VALUE);
  private static final Validator NON_NEGATIVE = new Validator.Range(0, Integer.MAX_VALUE);

  static final ConfigKey DATABASE = section("database",
      "The mirror database: embedded (a data folder) or external (a JDBC URL), not both.");
  static final ConfigKey DATABASE_EMBEDDED = section("database.embedded",
      "An embedded MariaDB that salesos starts itself; used when database.url is not given.");
  static final ConfigKey DATABASE_EMBEDDED_DATA_DIR = optional("database.embedded.data_dir", Type.PATH,
      "../var/mariadb", ANY, "Folder of the embedded MariaDB's data, relative to the configuration file.");
  static final ConfigKey DATABASE_URL = optional("database.url", Type.STRING, null,
      new Validator.Matches("jdbc:(mariadb|mysql):.*", "a MariaDB JDBC URL (jdbc:mariadb://host:3306/salesos)", false),
      "JDBC URL of an external MariaDB (or Galera behind a proxy); replaces the embedded database.");
  static final ConfigKey DATABASE_USER = optional("database.user", Type.STRING, "salesos", ANY,
      "Database user.");
  static final ConfigKey DATABASE_PASSWORD = optional("database.password", Type.SECRET, null, ANY,
      "Database password, from the environment or a file; never written in the configuration.");
  static final ConfigKey DATABASE_POOL_SIZE = optional("database.pool_size", Type.INT, "10", POSITIVE,
      "Most database connections the daemon holds open.");
  static final ConfigKey DATABASE_UNAVAILABLE_EXIT_SECONDS = optional("database.unavailable_exit_seconds", Type.INT, "600",
      POSITIVE, "Seconds the database may stay unreachable (or the embedded server fail to restart) before the daemon"
          + " exits non-zero, so that its supervisor (systemd Restart=on-failure) starts it afresh; /health answers 503"
          + " meanwhile.");

  static final ConfigKey CONNECTIONS = define("connections", Type.LIST, false, null, ANY,
      "The CRMs to mirror, one entry per connection; connection names are unique.");
  static final ConfigKey CONNECTION_NAME = required("connections[].name", Type.STRING,
      new Validator.Matches("[a-z][a-z0-9_-]{0,31}",
          "lower-case letters, digits, '-' or '_', starting with a letter (at most 32)", true),
      "The connection's name, used in commands, logs and the mirror.");
  static final ConfigKey CONNECTION_TYPE = required("connections[].type", Type.STRING, ANY,
      "Connector type, e.g. salesforce or hubspot.");
  static final ConfigKey CONNECTION_MAPPING = optional("connections[].mapping", Type.PATH,
      "mappings/<type>.yaml", ANY, "Mapping file from CRM objects to the canonical model, relative to the configuration file.");
  static final ConfigKey CONNECTION_MODE = optional("connections[].mode", Type.STRING, "read_write",
      new Validator.OneOf(List.of("read_write", "read_only")),
      "read_only mirrors the CRM without ever writing to it.");
  static final ConfigKey CONNECTION_SANDBOX = optional("connections[].sandbox", Type.BOOLEAN, "false", ANY,
      "Connect to the local sandbox CRM instead; settings and secrets then come from the sandbox.");
  static final ConfigKey CONNECTION_SETTINGS = define("connections[].settings", Type.STRING_MAP, false, null,
      new Validator.NoSecretKeys(), "Connector-specific settings (e.g. instance_url, base_url), free-form.");
  static final ConfigKey CONNECTION_SECRETS = define("connections[].secrets", Type.SECRET_MAP, false, null, ANY,
      "Connector-specific credentials (e.g. token, client_secret), each from the environment or a file.");

  static final ConfigKey RULES = optional("rules", Type.PATH, "../rules", ANY,
      "Folder of the rule files, relative to the configuration file.");

  static final ConfigKey SYNC = section("sync", "How the sync engine polls the CRMs and writes back.");
  static final ConfigKey SYNC_POLL_SECONDS = optional("sync.poll_seconds", Type.INT, "60", POSITIVE,
      "Seconds between pulls of each connection.");
  static final ConfigKey SYNC_EVALUATE_SECONDS = optional("sync.evaluate_seconds", Type.INT, "60", POSITIVE,
      "Seconds between the daemon's scheduled rule evaluations of every connection (never more often than poll_seconds).");
  static final ConfigKey SYNC_PULL_BATCH = optional("sync.pull_batch", Type.INT, "2000", POSITIVE,
      "Records read per page of a pull.");
  static final ConfigKey SYNC_MAX_ATTEMPTS = optional("sync.max_attempts", Type.INT, "8", POSITIVE,
      "Attempts at a write before it is parked for a person to look at.");
  static final ConfigKey SYNC_BACKOFF_SECONDS = optional("sync.backoff_seconds", Type.INT, "30", POSITIVE,
      "Base delay before retrying a failed write; grows with each attempt.");
  static final ConfigKey SYNC_OVERLAP_SECONDS = optional("sync.overlap_seconds", Type.INT, "300", NON_NEGATIVE,
      "Each pull reads this window again, for changes that commit late.");
  static final ConfigKey SYNC_PULL_LANES = optional("sync.pull_lanes", Type.INT, "2", POSITIVE,
      "Objects pulled side by side (HubSpot); Salesforce objects go one at a time.");
  static final ConfigKey SYNC_STREAM_POLL_FACTOR = optional("sync.stream_poll_factor", Type.INT, "10", POSITIVE,
      "While a connection's change stream is healthy (see docs/change-streams.md), its safety-net poll runs only every"
          + " poll_seconds times this; a stream that fails or falls back restores the normal poll at once.");
  static final ConfigKey SYNC_STREAM_IDLE_MILLIS = optional("sync.stream_idle_millis", Type.INT, "500", POSITIVE,
      "Milliseconds a change stream waits after a read that found nothing new before it reads again.");
  static final ConfigKey SYNC_HOLD_WRITES_OVER = optional("sync.hold_writes_over", Type.INT, "500", POSITIVE,
      "A rules run that queues more new writes of one kind (flag, forecast, task) than this holds"
          + " every write of the run for review: nothing is sent until `salesos outbox release RUN_ID` (a first run on an"
          + " org with years of history, a rule edit that fires on every deal).");
  static final ConfigKey SYNC_HOLD_PERCENT_OVER = optional("sync.hold_percent_over", Type.INT, "25", new Validator.Range(1, 100),
      "As sync.hold_writes_over, for a run whose new writes of one kind exceed this percent of the deals it evaluated"
          + " (counted from 50 writes up, so a small org is not held for a handful).");

  static final ConfigKey ADMIN = section("admin",
      "The admin HTTP server: loopback unless configured; with a token, every page but a minimal /health needs it.");
  static final ConfigKey ADMIN_BIND = optional("admin.bind", Type.STRING, "127.0.0.1", ANY,
      "Address the admin server listens on; any address but loopback needs admin.token (or the daemon refuses to start).");
  static final ConfigKey ADMIN_PORT = optional("admin.port", Type.INT, "8686", new Validator.Range(0, 65535),
      "Port of the admin server.");
  // public: the daemon checks the resolved token against this declaration before it opens anything
  public static final ConfigKey ADMIN_TOKEN = optional("admin.token", Type.SECRET, null, new Validator.MinLength(32),
      "Token that the status page, /metrics and the draft actions require; without it the pages are open on loopback only"
          + " and the actions are off.");

  static final ConfigKey ALERTS = section("alerts",
      "Failure alerts posted to a webhook (Slack, Teams or any HTTP receiver): once per incident, again after it clears.");
  static final ConfigKey ALERTS_WEBHOOK_URL = optional("alerts.webhook_url", Type.SECRET, null, ANY,
      "Where alerts are POSTed as JSON ({\"text\", \"event\", \"at\"}); from the environment or a file, since such URLs"
          + " carry their own token. Without it, no alert is sent (the log, status page and /metrics still say).");
  static final ConfigKey ALERTS_CONNECTION_FAILING_MINUTES = optional("alerts.connection_failing_minutes", Type.INT, "15",
      POSITIVE, "A connection whose pulls have failed for this long is an incident.");

  static final ConfigKey SCHEDULER = section("scheduler", "Quartz: clustered when several daemons share one MariaDB.");
  static final ConfigKey SCHEDULER_CLUSTERED = optional("scheduler.clustered", Type.BOOLEAN, "true", ANY,
      "Use Quartz's clustered job store; required with more than one daemon on one database.");
  static final ConfigKey SCHEDULER_INSTANCE_ID = optional("scheduler.instance_id", Type.STRING, "AUTO", ANY,
      "This daemon's Quartz instance id; AUTO picks a unique one.");
  static final ConfigKey SCHEDULER_THREADS = optional("scheduler.threads", Type.INT, "4", POSITIVE,
      "Threads that run scheduled jobs.");

  static final ConfigKey RETENTION = section("retention",
      "How long system tables keep rows: the nightly retention job deletes older ones in small batches."
          + " 0 days keeps rows forever. Pending, draft, held, blocked and dead outbox rows are never deleted.");
  static final ConfigKey RETENTION_RECORD_HISTORY_DAYS = optional("retention.record_history_days", Type.INT, "365",
      NON_NEGATIVE, "Days of record_history kept: a version superseded longer ago is deleted; each record's newest"
          + " version stays (a deleted record's goes when its deletion is that old).");
  static final ConfigKey RETENTION_WRITE_JOURNAL_DAYS = optional("retention.write_journal_days", Type.INT, "365",
      NON_NEGATIVE, "Days of write_journal kept (a run older than this can no longer be rolled back).");
  static final ConfigKey RETENTION_OUTBOX_DONE_DAYS = optional("retention.outbox_done_days", Type.INT, "365",
      NON_NEGATIVE, "Days a written (done) outbox row is kept; rows in any other status are kept.");
  static final ConfigKey RETENTION_CONFLICT_DAYS = optional("retention.conflict_days", Type.INT, "365", NON_NEGATIVE,
      "Days of conflict rows kept; a conflict held for a person and not yet resolved is kept.");
  static final ConfigKey RETENTION_QUARANTINE_DAYS = optional("retention.quarantine_days", Type.INT, "365",
      NON_NEGATIVE, "Days a quarantined record is kept after it was last seen.");
  static final ConfigKey RETENTION_BATCH_ROWS = optional("retention.batch_rows", Type.INT, "5000", POSITIVE,
      "Most rows one delete statement removes, so a large table is never locked for long.");
  static final ConfigKey RETENTION_QUARANTINE_PAYLOAD_BYTES = optional("retention.quarantine_payload_bytes", Type.INT,
      "65536", new Validator.Range(1024, Integer.MAX_VALUE), "Most bytes of a quarantined record's payload stored;"
          + " a longer one is kept truncated, with the length and sha-256 of the whole.");

  private ConfigDef() {}

  /** Every declared key, in declaration order (the order of the docs). */
  public static List<ConfigKey> keys() {
    return Collections.unmodifiableList(KEYS);
  }

  /** The key named {@code name}, e.g. {@code sync.poll_seconds}. */
  public static Optional<ConfigKey> key(String name) {
    return KEYS.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** The keys allowed directly in the section {@code parent} ({@code ""} for the top level). */
  public static Set<String> allowedIn(String parent) {
    var out = new LinkedHashSet<String>();
    KEYS.stream().filter(k -> k.parent().equals(parent)).forEach(k -> out.add(k.leaf()));
    return out;
  }

  /** Reads {@code key}'s section from {@code parent}, refusing keys not declared in it. */
  static YamlNode sectionNode(YamlNode parent, ConfigKey key) {
    return parent.get(key.leaf()).allowOnly(allowedIn(key.name()));
  }

  private static ConfigKey section(String name, String doc) {
    return define(name, Type.SECTION, false, null, ANY, doc);
  }

  private static ConfigKey optional(String name, Type type, String defaultValue, Validator validator, String doc) {
    return define(name, type, false, defaultValue, validator, doc);
  }

  private static ConfigKey required(String name, Type type, Validator validator, String doc) {
    return define(name, type, true, null, validator, doc);
  }

  private static ConfigKey define(String name, Type type, boolean required, String defaultValue, Validator validator,
      String doc) {
    if (key(name).isPresent()) {
      throw new IllegalStateException("configuration key declared twice: " + name);
    }
    var key = new ConfigKey(name, type, required, Optional.ofNullable(defaultValue), validator, doc);
    KEYS.add(key);
    return key;
  }
}

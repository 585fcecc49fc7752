package io.salesos.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One deployment's configuration, read from one YAML file: where the mirror lives, which CRMs to
 * connect and how, where the rules are, and how the daemon runs. Every key is declared in
 * {@link ConfigDef}; an unknown or misspelt key is an error naming the file and line.
 */
public record SalesosConfig(
    Path file,
    DatabaseConfig database,
    List<ConnectionConfig> connections,
    Path rulesDir,
    SyncConfig sync,
    AdminConfig admin,
    SchedulerConfig scheduler,
    RetentionConfig retention,
    AlertsConfig alerts) {

  public SalesosConfig {
    Objects.requireNonNull(file, "file");
    connections = List.copyOf(connections);
  }

  /** The mirror database: embedded (a data folder) or external (a JDBC URL), and how long the daemon bears it down. */
  public record DatabaseConfig(Optional<Path> embeddedDataDir, Optional<String> url, String user,
      Optional<SecretRef> password, int poolSize, int unavailableExitSeconds) {}

  /** One CRM connection: its name, connector type, mapping file, settings and secret references. */
  public record ConnectionConfig(
      String name, String type, Path mapping, boolean readWrite, boolean sandbox,
      Map<String, String> settings, Map<String, SecretRef> secrets) {
    public ConnectionConfig {
      settings = Map.copyOf(settings);
      secrets = Map.copyOf(secrets);
    }
  }

  /** How the sync engine polls and writes. */
  public record SyncConfig(int pollSeconds, int pullBatch, int maxAttempts, int backoffSeconds,
      int overlapSeconds, int pullLanes, int holdWritesOver, int holdPercentOver, int streamPollFactor,
      int streamIdleMillis, int evaluateSeconds) {}

  /** The admin HTTP server: loopback unless configured; actions only with a token. */
  public record AdminConfig(String bind, int port, Optional<SecretRef> token) {}

  /** Failure alerts: the webhook they are posted to, and when a failing connection becomes an incident. */
  public record AlertsConfig(Optional<SecretRef> webhookUrl, int connectionFailingMinutes) {}

  /** Quartz: clustered when several daemons share one MariaDB. */
  public record SchedulerConfig(boolean clustered, String instanceId, int threads) {}

  /**
   * How long the system tables keep rows, in days (0 keeps them forever), the rows one delete may
   * remove, and the stored size cap of a quarantined payload.
   */
  public record RetentionConfig(int recordHistoryDays, int writeJournalDays, int outboxDoneDays, int conflictDays,
      int quarantineDays, int batchRows, int quarantinePayloadBytes) {

    /** The declared defaults, as a configuration without a retention section gets them. */
    public static RetentionConfig defaults() {
      return new RetentionConfig(def(ConfigDef.RETENTION_RECORD_HISTORY_DAYS), def(ConfigDef.RETENTION_WRITE_JOURNAL_DAYS),
          def(ConfigDef.RETENTION_OUTBOX_DONE_DAYS), def(ConfigDef.RETENTION_CONFLICT_DAYS),
          def(ConfigDef.RETENTION_QUARANTINE_DAYS), def(ConfigDef.RETENTION_BATCH_ROWS),
          def(ConfigDef.RETENTION_QUARANTINE_PAYLOAD_BYTES));
    }

    private static int def(ConfigKey key) {
      return Integer.parseInt(key.defaultValue().orElseThrow());
    }
  }

  /** How many objects are pulled side by side by default (sync.pull_lanes). */
  public static final int DEFAULT_PULL_LANES = Integer.parseInt(ConfigDef.SYNC_PULL_LANES.defaultValue().orElseThrow());

  /** Loads and validates {@code file}; relative paths in it are relative to its folder. */
  public static SalesosConfig load(Path file) {
    var root = YamlNode.load(file);
    return from(file, root);
  }

  static SalesosConfig from(Path file, YamlNode root) {
    if (!root.isMapping()) {
      throw root.error("a salesos configuration is a mapping with keys " + ConfigDef.allowedIn(""));
    }
    root.allowOnly(ConfigDef.allowedIn(""));
    var base = file.toAbsolutePath().getParent();
    var database = database(ConfigDef.sectionNode(root, ConfigDef.DATABASE), base);
    var items = root.get(ConfigDef.CONNECTIONS.leaf()).items();
    var connections = items.stream().map(n -> connection(n, base)).toList();
    var names = new java.util.HashSet<String>();
    for (int i = 0; i < connections.size(); i++) {
      if (!names.add(connections.get(i).name())) {
        throw items.get(i).error("two connections are named '" + connections.get(i).name() + "'");
      }
    }
    var rules = base.resolve(ConfigDef.RULES.readString(root)).normalize();
    var s = ConfigDef.sectionNode(root, ConfigDef.SYNC);
    var sync = new SyncConfig(ConfigDef.SYNC_POLL_SECONDS.readInt(s), ConfigDef.SYNC_PULL_BATCH.readInt(s),
        ConfigDef.SYNC_MAX_ATTEMPTS.readInt(s), ConfigDef.SYNC_BACKOFF_SECONDS.readInt(s),
        ConfigDef.SYNC_OVERLAP_SECONDS.readInt(s), ConfigDef.SYNC_PULL_LANES.readInt(s),
        ConfigDef.SYNC_HOLD_WRITES_OVER.readInt(s), ConfigDef.SYNC_HOLD_PERCENT_OVER.readInt(s),
        ConfigDef.SYNC_STREAM_POLL_FACTOR.readInt(s), ConfigDef.SYNC_STREAM_IDLE_MILLIS.readInt(s),
        ConfigDef.SYNC_EVALUATE_SECONDS.readInt(s));
    var a = ConfigDef.sectionNode(root, ConfigDef.ADMIN);
    var admin = new AdminConfig(ConfigDef.ADMIN_BIND.readString(a), ConfigDef.ADMIN_PORT.readInt(a),
        secret(a, ConfigDef.ADMIN_TOKEN, base));
    var q = ConfigDef.sectionNode(root, ConfigDef.SCHEDULER);
    var scheduler = new SchedulerConfig(ConfigDef.SCHEDULER_CLUSTERED.readBoolean(q),
        ConfigDef.SCHEDULER_INSTANCE_ID.readString(q), ConfigDef.SCHEDULER_THREADS.readInt(q));
    var r = ConfigDef.sectionNode(root, ConfigDef.RETENTION);
    var retention = new RetentionConfig(ConfigDef.RETENTION_RECORD_HISTORY_DAYS.readInt(r),
        ConfigDef.RETENTION_WRITE_JOURNAL_DAYS.readInt(r), ConfigDef.RETENTION_OUTBOX_DONE_DAYS.readInt(r),
        ConfigDef.RETENTION_CONFLICT_DAYS.readInt(r), ConfigDef.RETENTION_QUARANTINE_DAYS.readInt(r),
        ConfigDef.RETENTION_BATCH_ROWS.readInt(r), ConfigDef.RETENTION_QUARANTINE_PAYLOAD_BYTES.readInt(r));
    var al = ConfigDef.sectionNode(root, ConfigDef.ALERTS);
    var alerts = new AlertsConfig(secret(al, ConfigDef.ALERTS_WEBHOOK_URL, base),
        ConfigDef.ALERTS_CONNECTION_FAILING_MINUTES.readInt(al));
    return new SalesosConfig(file, database, connections, rules, sync, admin, scheduler, retention, alerts);
  }

  private static DatabaseConfig database(YamlNode d, Path base) {
    var embedded = ConfigDef.sectionNode(d, ConfigDef.DATABASE_EMBEDDED);
    var url = ConfigDef.DATABASE_URL.readOptionalString(d);
    if (url.isPresent() && d.has(ConfigDef.DATABASE_EMBEDDED.leaf())) {
      throw d.error("give either embedded or url, not both");
    }
    Optional<Path> dataDir = url.isPresent() ? Optional.empty()
        : Optional.of(base.resolve(ConfigDef.DATABASE_EMBEDDED_DATA_DIR.readString(embedded)).normalize());
    return new DatabaseConfig(dataDir, url, ConfigDef.DATABASE_USER.readString(d),
        secret(d, ConfigDef.DATABASE_PASSWORD, base), ConfigDef.DATABASE_POOL_SIZE.readInt(d),
        ConfigDef.DATABASE_UNAVAILABLE_EXIT_SECONDS.readInt(d));
  }

  private static ConnectionConfig connection(YamlNode c, Path base) {
    c.allowOnly(ConfigDef.allowedIn(ConfigDef.CONNECTIONS.name() + "[]"));
    var name = ConfigDef.CONNECTION_NAME.readString(c);
    var type = ConfigDef.CONNECTION_TYPE.readString(c);
    // The mapping's default names the connection's type, so the declared default is a template.
    var mapping = base.resolve(ConfigDef.CONNECTION_MAPPING.readString(c).replace("<type>", type)).normalize();
    var mode = ConfigDef.CONNECTION_MODE.readString(c);
    var settingsNode = c.get(ConfigDef.CONNECTION_SETTINGS.leaf());
    var settings = new java.util.LinkedHashMap<String, String>();
    settingsNode.entries().forEach((k, v) -> settings.put(k, v.asString()));
    ConfigDef.CONNECTION_SETTINGS.validator().check(settingsNode, settings);
    var secrets = new java.util.LinkedHashMap<String, SecretRef>();
    c.get(ConfigDef.CONNECTION_SECRETS.leaf()).entries().forEach((k, v) -> secrets.put(k, SecretRef.parse(v, base)));
    return new ConnectionConfig(name, type, mapping, mode.equals("read_write"),
        ConfigDef.CONNECTION_SANDBOX.readBoolean(c), settings, secrets);
  }

  private static Optional<SecretRef> secret(YamlNode section, ConfigKey key, Path base) {
    var n = section.get(key.leaf());
    return n.isNull() ? Optional.empty() : Optional.of(SecretRef.parse(n, base));
  }

  public Optional<ConnectionConfig> connection(String name) {
    return connections.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}

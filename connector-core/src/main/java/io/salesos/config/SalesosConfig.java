package io.salesos.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One deployment's configuration, read from one YAML file: where the mirror lives, which CRMs to
 * connect and how, where the rules are, and how the daemon runs. Every key is declared here; an
 * unknown or misspelt key is an error naming the file and line.
 */
public record SalesosConfig(
    Path file,
    DatabaseConfig database,
    List<ConnectionConfig> connections,
    Path rulesDir,
    SyncConfig sync,
    AdminConfig admin,
    SchedulerConfig scheduler) {

  public SalesosConfig {
    Objects.requireNonNull(file, "file");
    connections = List.copyOf(connections);
  }

  /** The mirror database: embedded (a data folder) or external (a JDBC URL). */
  public record DatabaseConfig(Optional<Path> embeddedDataDir, Optional<String> url, String user,
      Optional<SecretRef> password, int poolSize) {}

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
      int overlapSeconds, int pullLanes) {}

  /** The admin HTTP server: loopback unless configured; actions only with a token. */
  public record AdminConfig(String bind, int port, Optional<SecretRef> token) {}

  /** Quartz: clustered when several daemons share one MariaDB. */
  public record SchedulerConfig(boolean clustered, String instanceId, int threads) {}

  /** How many objects are pulled side by side by default (sync.pull_lanes). */
  public static final int DEFAULT_PULL_LANES = 2;

  static final Set<String> TOP = Set.of("database", "connections", "rules", "sync", "admin", "scheduler");

  /** Loads and validates {@code file}; relative paths in it are relative to its folder. */
  public static SalesosConfig load(Path file) {
    var root = YamlNode.load(file);
    return from(file, root);
  }

  static SalesosConfig from(Path file, YamlNode root) {
    if (!root.isMapping()) {
      throw root.error("a salesos configuration is a mapping with keys " + TOP);
    }
    root.allowOnly(TOP);
    var base = file.toAbsolutePath().getParent();
    var database = database(root.get("database"), base);
    var connections = root.get("connections").items().stream().map(n -> connection(n, base)).toList();
    var names = new java.util.HashSet<String>();
    for (int i = 0; i < connections.size(); i++) {
      if (!names.add(connections.get(i).name())) {
        throw root.get("connections").items().get(i).error("two connections are named '" + connections.get(i).name() + "'");
      }
    }
    var rules = base.resolve(root.get("rules").asString("../rules")).normalize();
    var s = root.get("sync").allowOnly(Set.of("poll_seconds", "pull_batch", "max_attempts", "backoff_seconds", "overlap_seconds",
        "pull_lanes"));
    var sync = new SyncConfig(positive(s.get("poll_seconds"), 60), positive(s.get("pull_batch"), 2000),
        positive(s.get("max_attempts"), 8), positive(s.get("backoff_seconds"), 30), nonNegative(s.get("overlap_seconds"), 300),
        positive(s.get("pull_lanes"), DEFAULT_PULL_LANES));
    var a = root.get("admin").allowOnly(Set.of("bind", "port", "token"));
    var admin = new AdminConfig(a.get("bind").asString("127.0.0.1"), port(a.get("port"), 8686),
        a.get("token").isNull() ? Optional.empty() : Optional.of(SecretRef.parse(a.get("token"), base)));
    var q = root.get("scheduler").allowOnly(Set.of("clustered", "instance_id", "threads"));
    var scheduler = new SchedulerConfig(q.get("clustered").asBoolean(true), q.get("instance_id").asString("AUTO"),
        positive(q.get("threads"), 4));
    return new SalesosConfig(file, database, connections, rules, sync, admin, scheduler);
  }

  private static DatabaseConfig database(YamlNode d, Path base) {
    d.allowOnly(Set.of("embedded", "url", "user", "password", "pool_size"));
    var embedded = d.get("embedded").allowOnly(Set.of("data_dir"));
    boolean hasUrl = !d.get("url").isNull();
    if (hasUrl && d.has("embedded")) {
      throw d.error("give either embedded or url, not both");
    }
    Optional<Path> dataDir = hasUrl ? Optional.empty()
        : Optional.of(base.resolve(embedded.get("data_dir").asString("../var/mariadb")).normalize());
    var url = d.get("url").asOptionalString();
    url.ifPresent(u -> {
      if (!u.startsWith("jdbc:mariadb:") && !u.startsWith("jdbc:mysql:")) {
        throw d.get("url").error("expected a MariaDB JDBC URL (jdbc:mariadb://host:3306/salesos)");
      }
    });
    var password = d.get("password").isNull() ? Optional.<SecretRef>empty() : Optional.of(SecretRef.parse(d.get("password"), base));
    return new DatabaseConfig(dataDir, url, d.get("user").asString("salesos"), password, positive(d.get("pool_size"), 10));
  }

  private static ConnectionConfig connection(YamlNode c, Path base) {
    c.allowOnly(Set.of("name", "type", "mapping", "mode", "sandbox", "settings", "secrets"));
    var name = c.require("name").asString();
    if (!name.matches("[a-z][a-z0-9_-]{0,31}")) {
      throw c.get("name").error("a connection name is lower-case letters, digits, '-' or '_' (at most 32), got '" + name + "'");
    }
    var type = c.require("type").asString();
    var mapping = base.resolve(c.get("mapping").asString("mappings/" + type + ".yaml")).normalize();
    var mode = c.get("mode").asString("read_write");
    if (!mode.equals("read_write") && !mode.equals("read_only")) {
      throw c.get("mode").error("mode is read_write or read_only, got '" + mode + "'");
    }
    var settings = new java.util.LinkedHashMap<String, String>();
    c.get("settings").entries().forEach((k, v) -> settings.put(k, v.asString()));
    for (var k : settings.keySet()) {
      if (looksSecret(k)) {
        throw c.get("settings").get(k).error("'" + k + "' looks like a secret: move it under secrets as {env: VAR} or {file: PATH}");
      }
    }
    var secrets = new java.util.LinkedHashMap<String, SecretRef>();
    c.get("secrets").entries().forEach((k, v) -> secrets.put(k, SecretRef.parse(v, base)));
    return new ConnectionConfig(name, type, mapping, mode.equals("read_write"), c.get("sandbox").asBoolean(false),
        settings, secrets);
  }

  static boolean looksSecret(String key) {
    var k = key.toLowerCase();
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.endsWith("_key");
  }

  private static int positive(YamlNode n, int fallback) {
    int v = n.asInt(fallback);
    if (v <= 0) {
      throw n.error("must be a positive number, got " + v);
    }
    return v;
  }

  private static int nonNegative(YamlNode n, int fallback) {
    int v = n.asInt(fallback);
    if (v < 0) {
      throw n.error("must not be negative, got " + v);
    }
    return v;
  }

  private static int port(YamlNode n, int fallback) {
    int v = n.asInt(fallback);
    if (v < 0 || v > 65535) {
      throw n.error("a port is 0..65535, got " + v);
    }
    return v;
  }

  public Optional<ConnectionConfig> connection(String name) {
    return connections.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}

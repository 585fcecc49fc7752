package io.salesos.mirror;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror database: a HikariCP pool over MariaDB (embedded by default, or an external server
 * by JDBC URL), migrated by Flyway on open.
 *
 * <p>Beside the pool the data path uses, a second small pool answers {@link #probe()}: it waits
 * at most a couple of seconds for a connection or an answer, so the admin server's health check
 * and the daemon's watch over the database never hang on a server that is gone.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  static final Duration PROBE_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration PROBE_ANSWER_TIMEOUT = Duration.ofSeconds(3);

  private final HikariDataSource pool;
  private final HikariDataSource probePool;
  private final Optional<EmbeddedMariaDb> embedded;
  private final String description;
  private MigrateResult lastMigration;

  private Database(HikariDataSource pool, Optional<EmbeddedMariaDb> embedded, String description) {
    this.pool = pool;
    this.probePool = probePool(pool);
    this.embedded = embedded;
    this.description = description;
  }

  /** Starts the embedded MariaDB with its data in {@code dataDir}, pools it, and migrates it. */
  public static Database embedded(Path dataDir) {
    var db = EmbeddedMariaDb.start(dataDir, "salesos");
    Database database = null;
    try {
      // salesos's own account, granted on its database only; root is for setting up, never for the pool
      var user = db.credentials();
      database = new Database(pool(db.jdbcUrl("salesos"), user.user(), user.password(), 10), Optional.of(db),
          "embedded MariaDB 11.4 at 127.0.0.1:" + db.port() + ", data in " + db.dataDir());
      database.migrate();
      return database;
    } catch (RuntimeException e) {
      if (database != null) {
        database.close();
      } else {
        db.close();
      }
      throw e;
    }
  }

  /** Pools an external MariaDB at {@code jdbcUrl} and migrates it. The password is never logged. */
  public static Database external(String jdbcUrl, String user, String password, int maxPool) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    var database = new Database(pool(jdbcUrl, user, password, maxPool), Optional.empty(),
        "MariaDB at " + redact(jdbcUrl));
    try {
      database.migrate();
      return database;
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  private static HikariDataSource pool(String url, String user, String password, int maxPool) {
    var cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setPassword(password);
    cfg.setMaximumPoolSize(maxPool);
    cfg.setMinimumIdle(1);
    cfg.setPoolName("salesos-mirror");
    cfg.setConnectionTimeout(30_000);
    // the driver's own default (30 s) is for the TCP connect and the handshake each: a server that
    // accepts and never answers would hold every new connection, and the daemon's start, that long
    cfg.addDataSourceProperty("connectTimeout", "10000");
    // UTC on the wire whatever the JVM's zone; utf8mb4 for emoji and accents
    cfg.addDataSourceProperty("connectionTimeZone", "UTC");
    cfg.addDataSourceProperty("forceConnectionTimeZoneToSession", "true");
    cfg.addDataSourceProperty("useBulkStmts", "true");
    cfg.addDataSourceProperty("rewriteBatchedStatements", "true");
    // @salesos_sync marks salesos's own sessions: the local-edit triggers ignore them
    cfg.setConnectionInitSql("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00', @salesos_sync = 1");
    return new HikariDataSource(cfg);
  }

  /** Two connections at most, none kept open when idle, and a short wait for both the connection and the answer. */
  private static HikariDataSource probePool(HikariDataSource main) {
    var cfg = new HikariConfig();
    cfg.setJdbcUrl(main.getJdbcUrl());
    cfg.setUsername(main.getUsername());
    cfg.setPassword(main.getPassword());
    cfg.setMaximumPoolSize(2);
    cfg.setMinimumIdle(0);
    cfg.setPoolName("salesos-probe");
    cfg.setConnectionTimeout(PROBE_CONNECT_TIMEOUT.toMillis());
    cfg.setValidationTimeout(1_000);
    // no pool start-up check: a daemon whose database is down must still come up to say so
    cfg.setInitializationFailTimeout(-1);
    main.getDataSourceProperties().forEach((k, v) -> cfg.addDataSourceProperty(k.toString(), v));
    cfg.addDataSourceProperty("connectTimeout", Long.toString(PROBE_CONNECT_TIMEOUT.toMillis()));
    cfg.addDataSourceProperty("socketTimeout", Long.toString(PROBE_ANSWER_TIMEOUT.toMillis()));
    cfg.setConnectionInitSql(main.getConnectionInitSql());
    return new HikariDataSource(cfg);
  }

  private void migrate() {
    // Flyway gets connections of its own: it resets user variables on the sessions it used,
    // which would clear the @salesos_sync mark on pooled connections
    var migrationPool = new HikariDataSource();
    migrationPool.setJdbcUrl(pool.getJdbcUrl());
    migrationPool.setUsername(pool.getUsername());
    migrationPool.setPassword(pool.getPassword());
    migrationPool.setMaximumPoolSize(2);
    migrationPool.setPoolName("salesos-migrate");
    pool.getDataSourceProperties().forEach((k, v) -> migrationPool.addDataSourceProperty(k.toString(), v));
    migrationPool.setConnectionInitSql("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00'");
    try (migrationPool) {
      migrateWith(migrationPool);
    }
  }

  private void migrateWith(DataSource source) {
    var flyway = Flyway.configure()
        .dataSource(source)
        .locations("classpath:db/migration")
        .javaMigrations(new V3__Mirror_tables())
        .loggers("slf4j")
        .load();
    lastMigration = flyway.migrate();
    log.info("event=migrated applied={} schema_version={}", lastMigration.migrationsExecuted,
        lastMigration.targetSchemaVersion);
  }

  /** How many migrations the last open applied (0 on a database already up to date). */
  public int migrationsApplied() {
    return lastMigration.migrationsExecuted;
  }

  public DataSource dataSource() {
    return pool;
  }

  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /**
   * A connection for a quick look (health checks, status): it comes within a couple of seconds or
   * fails, and its statements fail when the server does not answer within a few seconds. Not for
   * the data path, whose statements may take longer.
   */
  public Connection probeConnection() throws SQLException {
    var known = unavailable();
    if (known.isPresent()) {
      throw new SQLException("database unavailable: " + known.get());
    }
    return probePool.getConnection();
  }

  /**
   * Empty when the database answers a {@code SELECT 1} now, else why not, in words a person can
   * act on (never a password). Returns within a few seconds whatever the server does.
   */
  public Optional<String> probe() {
    var known = unavailable();
    if (known.isPresent()) {
      return known;
    }
    try (var c = probePool.getConnection(); var st = c.createStatement()) {
      st.setQueryTimeout((int) PROBE_ANSWER_TIMEOUT.toSeconds());
      st.executeQuery("SELECT 1").close();
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.of(description + " unreachable: " + redact(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Why the database is known to be down without asking it (the embedded server died and is being
   * restarted), or empty. Instant: use it before anything that would wait on the pool.
   */
  public Optional<String> unavailable() {
    return embedded.flatMap(EmbeddedMariaDb::unavailable);
  }

  /** The embedded server's process while it runs, for tests and diagnostics; empty for an external database. */
  public Optional<ProcessHandle> embeddedProcess() {
    return embedded.flatMap(EmbeddedMariaDb::process);
  }

  /** Where the data lives, for people: never includes a password. */
  public String describe() {
    return description;
  }

  public Optional<Path> embeddedDataDir() {
    return embedded.map(EmbeddedMariaDb::dataDir);
  }

  @Override
  public void close() {
    probePool.close();
    pool.close();
    embedded.ifPresent(EmbeddedMariaDb::close);
  }

  static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}

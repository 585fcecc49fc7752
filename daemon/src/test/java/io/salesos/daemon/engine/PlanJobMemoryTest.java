package io.salesos.daemon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.SalesosConfig;
import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schedule.DaemonScheduler;
import io.salesos.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan job remembers, per rep, the day it last planned, and a daemon start keeps that memory. */
class PlanJobMemoryTest {

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
  void theDaysPlannedPerRepSurviveADaemonStartAndTheOldDailyTriggerIsGone() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults());
    var schema = TestDatabases.newSchema();
    startDaemon(schema);
    var memory = "planned.hubspot/70000002=2026-12-04\nplanned.hubspot/70000003=2026-12-07\n";
    try (var c = TestDatabases.connect(schema);
        var ps = c.prepareStatement("UPDATE QRTZ_JOB_DETAILS SET JOB_DATA = ? WHERE JOB_NAME = 'plan'")) {
      ps.setBytes(1, memory.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(ps.executeUpdate()).isOne();
    }

    startDaemon(schema);

    var data = QuartzJobDataTest.properties(QuartzJobDataTest.jobData(schema).get("plan"));
    assertThat(data).containsEntry("planned.hubspot/70000002", "2026-12-04").containsEntry("planned.hubspot/70000003", "2026-12-07");
    try (var c = TestDatabases.connect(schema);
        var rs = c.createStatement().executeQuery("SELECT TRIGGER_NAME FROM QRTZ_TRIGGERS WHERE JOB_NAME = 'plan'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("plan-every-15-minutes");
      assertThat(rs.next()).isFalse();
    }
  }

  private void startDaemon(String schema) throws Exception {
    var config = SalesosConfig.load(EngineFixtures.hubspotConfig(dir.resolve("conf"), sandbox, schema, ""));
    try (var runtime = SalesosRuntime.open(config, Map.of(), System::getenv, Clock.systemUTC());
        var scheduler = DaemonScheduler.start(runtime, (job, nanos) -> {})) {
      assertThat(scheduler.quartz().isStarted()).isTrue();
    }
  }
}

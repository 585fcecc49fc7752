package io.salesos.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follow-up rule's horizon: subjects older than it get no task, and a bad horizon names its line. */
class HorizonTest {

  @TempDir
  Path dir;

  @Test
  void theShippedLeadSlaLeavesLeadsOlderThanTwoWeeksAlone() {
    var rules = ((LoadResult.Loaded) new RuleSetLoader(RuleVocabulary.standard()).load(Path.of("../rules"))).ruleSet();
    var sla = rules.followUps().stream().filter(r -> r.id().equals("sla.lead_untouched")).findFirst().orElseThrow();
    assertThat(sla.horizon()).contains(Duration.ofDays(14));
    var now = Instant.parse("2026-12-03T15:00:00Z");
    var fresh = new ContactContext(CrmRecord.of("c1", "created_at", now.minus(Duration.ofDays(3))), CrmRecord.empty(), List.of(),
        CrmRecord.empty());
    var old = new ContactContext(CrmRecord.of("c2", "created_at", Instant.parse("2019-05-01T10:00:00Z")), CrmRecord.empty(),
        List.of(), CrmRecord.empty());
    var unknown = new ContactContext(CrmRecord.of("c3"), CrmRecord.empty(), List.of(), CrmRecord.empty());
    assertThat(sla.inHorizon(fresh, now)).isTrue();
    assertThat(sla.inHorizon(old, now)).isFalse();
    assertThat(sla.inHorizon(unknown, now)).as("no moment: left alone").isFalse();
  }

  @Test
  void aHorizonOnAnAccountRuleOrNotANumberIsAProblemWithItsLine() throws Exception {
    try (var files = Files.list(Path.of("../rules"))) {
      for (var f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    var followUp = dir.resolve("follow-up.yaml");
    Files.writeString(followUp, Files.readString(followUp).replace("horizon_days: 14", "horizon_days: two weeks"));
    var result = new RuleSetLoader(RuleVocabulary.standard()).load(dir);
    assertThat(result).isInstanceOf(LoadResult.Rejected.class);
    assertThat(((LoadResult.Rejected) result).problems().toString()).contains("follow-up.yaml:")
        .contains("horizon_days must be a whole number of days");
  }
}

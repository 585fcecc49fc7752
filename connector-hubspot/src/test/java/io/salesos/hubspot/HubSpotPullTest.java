package io.salesos.hubspot;

import static io.salesos.hubspot.TestConnections.connect;
import static io.salesos.hubspot.TestConnections.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import io.salesos.hubspot.sandbox.RateLimits;
import io.salesos.hubspot.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.connection.ResilienceSettings;
import io.salesos.connection.ResilientConnector;
import io.salesos.spi.Deletion;
import io.salesos.spi.PullBatch;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubSpotPullTest {

  private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
  private static final List<String> DEAL_FIELDS = List.of("dealname", "amount", "dealstage", "closedate");

  private final SandboxClock clock = SandboxClock.fixed(T0);
  private HubSpotSandbox sandbox;

  private HubSpotSandbox start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock)
        .withLimits(RateLimits.unlimited()).withSearchLag(Duration.ofSeconds(2)));
    return sandbox;
  }

  @AfterEach
  void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void initialLoadDeliversEachOf25000DealsOnceWhen3000ShareOneStamp() throws Exception {
    start();
    sandbox.fillDeals(11_000, T0.minus(Duration.ofDays(30)), Duration.ofMillis(7));
    var shared = sandbox.fillDeals(3_000, T0.minus(Duration.ofDays(2)), Duration.ZERO);
    sandbox.fillDeals(11_000, T0.minus(Duration.ofDays(1)), Duration.ofMillis(3));
    clock.advance(Duration.ofMinutes(5));
    var connector = connect(sandbox);

    var batches = drain(connector, new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 500));

    var seen = new HashMap<String, Integer>();
    batches.forEach(b -> b.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum)));
    assertThat(seen).hasSize(25_000);
    assertThat(seen.values()).allMatch(n -> n == 1);
    assertThat(seen.keySet()).containsAll(shared);
    assertThat(sandbox.get("deals", shared.get(0)).orElseThrow().properties().get("hs_lastmodifieddate"))
        .isEqualTo(sandbox.get("deals", shared.get(2_999)).orElseThrow().properties().get("hs_lastmodifieddate"));
    // the load used list paging (search would have stopped at 10,000); the round's closing
    // search found nothing newer
    assertThat(sandbox.requests().stream().filter(r -> r.contains("archived=false"))).hasSize(250);
    assertThat(sandbox.requests().stream().filter(r -> r.contains("/search"))).hasSizeLessThanOrEqualTo(2);
    assertThat(batches.get(0).records().get(0).fields()).containsKeys("dealname", "amount", "dealstage");
  }

  @Test
  void incrementalPullSkipsNoRecordWhenStampsTieAcrossPages() throws Exception {
    start();
    var ids = sandbox.fillDeals(5_000, T0.minus(Duration.ofDays(10)), Duration.ofMillis(1));
    clock.advance(Duration.ofMinutes(1));
    var connector = connect(sandbox);
    var afterLoad = lastCheckpoint(connector, new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));

    clock.advance(Duration.ofMinutes(5));
    // 3,000 records written in one batch share a stamp; 40 more come a millisecond later
    var tied = ids.subList(1_000, 4_000);
    sandbox.update("deals", tied, Map.of("amount", "4242"));
    clock.advance(Duration.ofMillis(1));
    var later = ids.subList(4_500, 4_540);
    sandbox.update("deals", later, Map.of("amount", "77"));
    clock.advance(Duration.ofSeconds(3));

    var batches = drain(connector, new PullRequest("deals", DEAL_FIELDS, afterLoad, 200));

    var seen = new HashMap<String, Integer>();
    batches.forEach(b -> b.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum)));
    var expected = new HashSet<>(tied);
    expected.addAll(later);
    assertThat(seen.keySet()).isEqualTo(expected);
    assertThat(seen.values()).allMatch(n -> n == 1);
    assertThat(sandbox.requests()).anyMatch(r -> r.contains("/search"));
  }

  @Test
  void incrementalPullSeesUpdatedAndArchivedRecordsAndNothingElse() throws Exception {
    start();
    var ids = sandbox.fillDeals(1_200, T0.minus(Duration.ofDays(3)), Duration.ofSeconds(1));
    clock.advance(Duration.ofMinutes(2));
    var connector = connect(sandbox);
    var afterLoad = lastCheckpoint(connector, new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));

    clock.advance(Duration.ofMinutes(10));
    var updated = List.of(ids.get(3), ids.get(500), ids.get(1_199));
    sandbox.update("deals", updated, Map.of("dealstage", "closedwon"));
    clock.advance(Duration.ofSeconds(1));
    var archived = List.of(ids.get(7), ids.get(800));
    var archivedStamp = sandbox.get("deals", ids.get(7)).orElseThrow().properties().get("hs_lastmodifieddate");
    sandbox.archive("deals", archived);
    clock.advance(Duration.ofSeconds(5));

    var batches = drain(connector, new PullRequest("deals", DEAL_FIELDS, afterLoad, 100));

    assertThat(records(batches)).extracting(RawRecord::id).containsExactlyInAnyOrderElementsOf(updated);
    assertThat(records(batches)).allMatch(r -> "closedwon".equals(r.fields().get("dealstage")));
    assertThat(deletions(batches)).extracting(Deletion::id).containsExactlyInAnyOrderElementsOf(archived);
    // archiving moved archivedAt, not the stamp
    assertThat(sandbox.get("deals", ids.get(7)).orElseThrow().properties().get("hs_lastmodifieddate"))
        .isEqualTo(archivedStamp);
  }

  @Test
  void anIncrementalWindowOfMoreThan10000ChangesIsReadWithoutPagingPastTheSearchCap() throws Exception {
    start();
    var ids = sandbox.fillDeals(12_500, T0.minus(Duration.ofDays(10)), Duration.ofMillis(1));
    clock.advance(Duration.ofMinutes(1));
    var connector = connect(sandbox);
    var afterLoad = lastCheckpoint(connector, new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));
    clock.advance(Duration.ofMinutes(5));
    // 12,000 edits in 120 batches of 100, a millisecond apart: one search window holds them all
    for (int i = 0; i < 12_000; i += 100) {
      sandbox.update("deals", ids.subList(i, i + 100), Map.of("amount", "5"));
      clock.advance(Duration.ofMillis(1));
    }
    clock.advance(Duration.ofSeconds(3));
    sandbox.resetRequests();

    var batches = drain(connector, new PullRequest("deals", DEAL_FIELDS, afterLoad, 200));

    var seen = new HashMap<String, Integer>();
    batches.forEach(b -> b.records().forEach(r -> seen.merge(r.id(), 1, Integer::sum)));
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 12_000));
    assertThat(seen.values()).allMatch(n -> n == 1);
    // keyset queries start afresh each time: no search ever asks for a page after another
    assertThat(sandbox.requestBodies("POST", "/crm/v3/objects/deals/search")).noneMatch(b -> b.contains("\"after\""));
  }

  @Test
  void searchLagIsCoveredByTheNextRoundsOverlap() throws Exception {
    start();
    var ids = sandbox.fillDeals(50, T0.minus(Duration.ofDays(3)), Duration.ofSeconds(1));
    clock.advance(Duration.ofMinutes(2));
    var connector = connect(sandbox);
    var cp = lastCheckpoint(connector, new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));
    clock.advance(Duration.ofMinutes(1));
    sandbox.update("deals", List.of(ids.get(1)), Map.of("amount", "1"));
    // pulled before the search index caught up: not seen yet
    var first = drain(connector, new PullRequest("deals", DEAL_FIELDS, cp, 100));
    assertThat(records(first)).isEmpty();
    clock.advance(Duration.ofSeconds(5));
    var second = drain(connector, new PullRequest("deals", DEAL_FIELDS, first.get(first.size() - 1).next(), 100));
    assertThat(records(second)).extracting(RawRecord::id).containsExactly(ids.get(1));
  }

  @Test
  void recordWithAWrongTypedPropertyIsQuarantinedWithItsRawJson() throws Exception {
    start();
    var ids = sandbox.fillDeals(30, T0.minus(Duration.ofDays(3)), Duration.ofSeconds(1));
    sandbox.faults().wrongTypedProperty("deals", ids.get(4), "amount", "{\"value\":12}");
    var connector = connect(sandbox);

    var batch = connector.pull(new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));

    assertThat(batch.records()).hasSize(29);
    assertThat(batch.malformed()).singleElement().satisfies(m -> {
      assertThat(m.id()).contains(ids.get(4));
      assertThat(m.rawPayload()).contains("\"amount\":{\"value\":12}");
      assertThat(m.reason()).contains("amount");
    });
  }

  @Test
  void loadSurvivesA429BurstAndA502WaitingAsTheHeadersSayAndRefetchingNoAppliedPage() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock)
        .withLimits(RateLimits.unlimited().withBurst(10_000, 400)));
    sandbox.fillDeals(2_000, T0.minus(Duration.ofDays(3)), Duration.ofSeconds(1));
    clock.advance(Duration.ofMinutes(1));
    // every call through core's resilience layer, as the daemon wires it
    var connector = new ResilientConnector(connect(sandbox), ResilienceSettings.fast());
    var applied = new HashMap<String, Integer>();
    var saved = Checkpoint.INITIAL;
    int batchNo = 0;
    long started = System.nanoTime();
    while (true) {
      if (batchNo == 5) {
        sandbox.faults().rateLimitBurst(3);
      }
      if (batchNo == 12) {
        sandbox.faults().failNext(502, 1);
      }
      var batch = connector.pull(new PullRequest("deals", DEAL_FIELDS, saved, 100));
      // applied, then the checkpoint saved, as the sync engine does in one transaction
      batch.records().forEach(r -> applied.merge(r.id(), 1, Integer::sum));
      saved = batch.next();
      batchNo++;
      if (!batch.hasMore()) {
        break;
      }
    }
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(applied).hasSize(2_000);
    assertThat(applied.values()).allMatch(n -> n == 1);
    assertThat(connector.retries()).isEqualTo(4);
    // three 429s, each answered by waiting the 400 ms interval the headers named
    assertThat(connector.waitedMillis()).isGreaterThanOrEqualTo(3 * 400);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(3 * 400);
    // 20 pages, each fetched once, plus the 4 refused attempts: nothing replayed
    var listCalls = sandbox.requests().stream().filter(r -> r.startsWith("GET /crm/v3/objects/deals?")
        && r.contains("archived=false")).toList();
    assertThat(listCalls).hasSize(20 + 4);
    assertThat(new HashSet<>(listCalls)).hasSize(20);
  }

  @Test
  void a429WithoutRetryTellsTheCallerTheIntervalFromTheHeaders() throws Exception {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withClock(clock)
        .withLimits(RateLimits.unlimited().withBurst(10_000, 400)));
    sandbox.fillDeals(10, T0, Duration.ZERO);
    sandbox.faults().rateLimitBurst(1);
    var connector = connect(sandbox);
    try {
      connector.pull(new PullRequest("deals", DEAL_FIELDS, Checkpoint.INITIAL, 100));
      throw new AssertionError("expected a 429");
    } catch (io.salesos.spi.ConnectorException e) {
      assertThat(e.kind()).isEqualTo(io.salesos.spi.ConnectorException.Kind.RATE_LIMITED);
      assertThat(e.retryAfterMillis()).isEqualTo(400L);
    }
  }

  private static Checkpoint lastCheckpoint(HubSpotConnector connector, PullRequest request) throws Exception {
    var batches = drain(connector, request);
    return batches.get(batches.size() - 1).next();
  }

  private static List<RawRecord> records(List<PullBatch> batches) {
    return batches.stream().flatMap(b -> b.records().stream()).toList();
  }

  private static List<Deletion> deletions(List<PullBatch> batches) {
    return batches.stream().flatMap(b -> b.deletions().stream()).toList();
  }

  static Set<String> idsOf(List<PullBatch> batches) {
    var out = new HashSet<String>();
    batches.forEach(b -> b.records().forEach(r -> out.add(r.id())));
    return out;
  }
}

package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import io.salesos.salesforce.sandbox.SandboxClock;
import io.salesos.spi.Checkpoint;
import io.salesos.spi.PullRequest;
import io.salesos.spi.RawRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An org as Salesforce ships it has none of the custom input fields the default mapping names
 * ({@code Tier__c}, {@code Opening_Hours__c}...). Querying one would fail the whole pull with
 * INVALID_FIELD; the connector leaves the absent ones out and mirrors the rest.
 */
class StockOrgPullTest {

  static final List<String> ACCOUNT_FIELDS = List.of("Name", "Industry", "BillingCity", "Tier__c", "Opening_Hours__c",
      "Visit_Every_Days__c");
  static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

  SalesforceSandbox sandbox;

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void aStockOrgMirrorsEveryAccountWithoutTheFieldsItLacks() throws Exception {
    sandbox = start(true);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var records = drain(c);
      assertThat(records).hasSize(sandbox.count("Account")).isNotEmpty();
      assertThat(records).allSatisfy(r -> {
        assertThat(r.fields()).containsKey("Name").doesNotContainKeys("Tier__c", "Opening_Hours__c", "Visit_Every_Days__c");
      });

      var one = c.read("Account", ACCOUNT_FIELDS, List.of(records.get(0).id())).orElseThrow();
      assertThat(one).hasSize(1);
      assertThat(one.get(0).fields()).containsKey("Name").doesNotContainKey("Tier__c");
    }
  }

  @Test
  void anOrgWithTheFieldsStillMirrorsThem() throws Exception {
    sandbox = start(false);
    try (var c = SandboxConnections.connector(sandbox, Map.of())) {
      var records = drain(c);
      assertThat(records).isNotEmpty();
      assertThat(records).anySatisfy(r -> assertThat(r.fields().get("Tier__c")).isNotNull());
    }
  }

  private static SalesforceSandbox start(boolean stock) {
    var b = SalesforceSandbox.builder().clock(SandboxClock.frozenAt(NOW))
        .seed(DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(NOW)));
    return (stock ? b.stockOrg() : b).start();
  }

  private static List<RawRecord> drain(SalesforceConnector c) throws Exception {
    var out = new ArrayList<RawRecord>();
    var cp = Checkpoint.INITIAL;
    io.salesos.spi.PullBatch batch;
    do {
      batch = c.pull(new PullRequest("Account", ACCOUNT_FIELDS, cp, 2_000));
      out.addAll(batch.records());
      cp = batch.next();
    } while (batch.hasMore());
    return out;
  }
}

package io.salesos.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrgGenerator;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.testing.DemoMirror;
import io.salesos.testing.TestDatabases;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The deals a batch of changes can affect, read from a mirror of the demo org. */
class AffectedDealsTest {

  private static Database db;
  private static DemoOrg org;

  @BeforeAll
  static void load() {
    db = TestDatabases.fresh();
    org = DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(Instant.parse("2026-11-02T09:00:00Z")));
    DemoMirror.load(db, org, "demo");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static Set<String> dealsOfAccount(String account) {
    return org.deals().stream().filter(d -> d.accountId().equals(account)).map(DemoOrg.Deal::id).collect(Collectors.toSet());
  }

  @Test
  void aChangedDealAffectsEveryDealOfItsAccount() {
    var deal = org.deals().get(0);
    var scope = AffectedDeals.of(db, "demo", Map.of(CanonicalSchema.DEAL, List.of(deal.id())));
    assertThat(scope.everything()).isFalse();
    assertThat(scope.dealIds()).isEqualTo(dealsOfAccount(deal.accountId()));
  }

  @Test
  void aChangedContactAffectsTheDealsItIsOnAndTheDealsOfItsAccount() {
    var deal = org.deals().stream().filter(d -> !d.contactRoles().isEmpty()).findFirst().orElseThrow();
    var contactId = deal.contactRoles().get(0).contactId();
    var contact = org.contacts().stream().filter(c -> c.id().equals(contactId)).findFirst().orElseThrow();
    var expected = new HashSet<>(dealsOfAccount(contact.accountId()));
    org.deals().stream().filter(d -> d.contactRoles().stream().anyMatch(r -> r.contactId().equals(contactId)))
        .forEach(d -> expected.add(d.id()));

    var scope = AffectedDeals.of(db, "demo", Map.of(CanonicalSchema.CONTACT, List.of(contactId)));

    assertThat(scope.dealIds()).isEqualTo(expected).contains(deal.id());
  }

  @Test
  void aChangedActivityAffectsItsDealAndItsAccountsDeals() {
    var activity = org.activities().stream().filter(a -> a.dealId().isPresent()).findFirst().orElseThrow();
    var expected = new HashSet<String>();
    expected.add(activity.dealId().get());
    activity.accountId().ifPresent(a -> expected.addAll(dealsOfAccount(a)));

    var scope = AffectedDeals.of(db, "demo", Map.of(CanonicalSchema.ACTIVITY, List.of(activity.id())));

    assertThat(scope.dealIds()).isEqualTo(expected);
  }

  @Test
  void anOwnerChangeMeansEveryDealAndNothingChangedMeansNone() {
    assertThat(AffectedDeals.of(db, "demo", Map.of(CanonicalSchema.OWNER, List.of("u1"))).everything()).isTrue();
    assertThat(AffectedDeals.of(db, "demo", Map.of()).isEmpty()).isTrue();
    assertThat(AffectedDeals.of(db, "other", Map.of(CanonicalSchema.DEAL, List.of(org.deals().get(0).id()))).dealIds())
        .containsExactly(org.deals().get(0).id());
  }
}

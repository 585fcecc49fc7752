package io.salesos.rules;

import java.util.List;
import java.util.stream.Stream;

/**
 * Where the evaluator gets its subjects; the mirror implements it for the daemon, {@link
 * InMemoryContextSource} for tests and the benchmark. Each stream is read once per evaluation and
 * must hold everything in memory the rules need: evaluation does no I/O.
 */
public interface ContextSource {

  /** Open deals, plus recently closed ones (closed-won hand-off rules look at those). */
  Stream<DealContext> deals();

  /** Contacts the follow-up rules should see: at least leads and recently created contacts. */
  Stream<ContactContext> contacts();

  /** Accounts with their recent activities (churn and visit-frequency rules). */
  Stream<AccountContext> accounts();

  /** Activities the follow-up rules should see: at least recent meetings (cancelled ones included). */
  Stream<ActivityContext> activities();

  /** Every user (id, name, manager_id...): forecast rollups walk rep, manager and team. */
  List<CrmRecord> owners();

  /** The ISO code of the currency {@code deal.amount} is in (the org's corporate currency); empty when not known. */
  default java.util.Optional<String> corporateCurrency() {
    return java.util.Optional.empty();
  }
}

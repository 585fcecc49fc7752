package io.salesos.rules;

import java.util.List;
import java.util.Objects;

/**
 * A deal with everything rules may look at: its account, contacts with their deal roles,
 * activities (the deal's and its account's, any order), stage history and owner.
 */
public record DealContext(
    CrmRecord deal,
    CrmRecord account,
    List<DealContact> contacts,
    List<CrmRecord> activities,
    List<CrmRecord> stageHistory,
    CrmRecord owner) implements Subject {

  public DealContext {
    Objects.requireNonNull(deal, "deal");
    account = account == null ? CrmRecord.empty() : account;
    owner = owner == null ? CrmRecord.empty() : owner;
    contacts = List.copyOf(contacts);
    activities = List.copyOf(activities);
    stageHistory = List.copyOf(stageHistory);
  }

  @Override
  public SubjectKind kind() {
    return SubjectKind.DEAL;
  }

  @Override
  public String id() {
    return deal.id();
  }
}

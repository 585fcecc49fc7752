package io.salesos.rules;

import java.util.Objects;

/** One activity (a cancelled meeting...) with the account, deal and contact it names, each possibly empty. */
public record ActivityContext(CrmRecord activity, CrmRecord account, CrmRecord deal, CrmRecord contact, CrmRecord owner)
    implements Subject {

  public ActivityContext {
    Objects.requireNonNull(activity, "activity");
    account = account == null ? CrmRecord.empty() : account;
    deal = deal == null ? CrmRecord.empty() : deal;
    contact = contact == null ? CrmRecord.empty() : contact;
    owner = owner == null ? CrmRecord.empty() : owner;
  }

  @Override
  public SubjectKind kind() {
    return SubjectKind.ACTIVITY;
  }

  @Override
  public String id() {
    return activity.id();
  }
}

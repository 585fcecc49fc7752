package io.salesos.rules;

import java.util.List;
import java.util.Objects;

/** An account with its contacts, open deals, activities and owner (for churn and coverage rules). */
public record AccountContext(
    CrmRecord account, List<CrmRecord> contacts, List<CrmRecord> deals, List<CrmRecord> activities, CrmRecord owner)
    implements Subject {

  public AccountContext {
    Objects.requireNonNull(account, "account");
    owner = owner == null ? CrmRecord.empty() : owner;
    contacts = List.copyOf(contacts);
    deals = List.copyOf(deals);
    activities = List.copyOf(activities);
  }

  @Override
  public SubjectKind kind() {
    return SubjectKind.ACCOUNT;
  }

  @Override
  public String id() {
    return account.id();
  }
}

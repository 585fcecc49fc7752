package io.salesos.rules;

import java.util.List;
import java.util.Objects;

/** A contact or lead with its account, the activities that touched it, and its owner. */
public record ContactContext(CrmRecord contact, CrmRecord account, List<CrmRecord> activities, CrmRecord owner)
    implements Subject {

  public ContactContext {
    Objects.requireNonNull(contact, "contact");
    account = account == null ? CrmRecord.empty() : account;
    owner = owner == null ? CrmRecord.empty() : owner;
    activities = List.copyOf(activities);
  }

  @Override
  public SubjectKind kind() {
    return SubjectKind.CONTACT;
  }

  @Override
  public String id() {
    return contact.id();
  }
}

package io.salesos.rules;

/** Something rules are evaluated against, with everything they may look at, already in memory. */
public sealed interface Subject permits DealContext, ContactContext, AccountContext, ActivityContext {

  SubjectKind kind();

  /** The CRM id of the subject record. */
  String id();

  /** The owner record (id, name, manager_id...); empty when unknown. */
  CrmRecord owner();
}

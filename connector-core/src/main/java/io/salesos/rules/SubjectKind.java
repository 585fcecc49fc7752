package io.salesos.rules;

/** What a rule looks at: each kind has its own CEL variables (see {@link ContextTypes}). */
public enum SubjectKind {
  /** An open or closed deal: deal, account, contacts, activities, stage_history, owner. */
  DEAL,
  /** A contact or lead: contact, account, activities, owner. */
  CONTACT,
  /** An account: account, contacts, deals (open), activities, owner. */
  ACCOUNT,
  /** One activity (a cancelled meeting...): activity, account, deal, contact, owner. */
  ACTIVITY;

  static SubjectKind parse(String s) {
    for (var k : values()) {
      if (k.name().equalsIgnoreCase(s)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown subject '" + s + "'; use deal, contact, account or activity");
  }

  String label() {
    return name().toLowerCase();
  }
}

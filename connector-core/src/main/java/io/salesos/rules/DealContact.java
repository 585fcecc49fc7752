package io.salesos.rules;

import java.util.Objects;

/** A contact as it stands on one deal: the contact record plus its role there and whether it is primary. */
public record DealContact(CrmRecord contact, String role, boolean primary) {
  public DealContact {
    Objects.requireNonNull(contact, "contact");
    role = role == null ? "" : role;
  }
}

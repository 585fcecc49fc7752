package io.salesos.spi;

import java.util.Objects;

/** What happened to one needed field when a connector was asked to create it. */
public record FieldCreation(FieldSpec field, Outcome outcome, String detail) {

  /** The closed set of outcomes. */
  public enum Outcome {
    /** The CRM now has the field. */
    CREATED,
    /** The CRM already had a field of that name; nothing was changed. */
    EXISTED,
    /** Written into a deployable package for a person to deploy; the CRM is unchanged. */
    PACKAGED,
    /** The CRM refused because the user may not change its schema: a package or an admin can. */
    NOT_PERMITTED,
    /** The CRM refused, or the connector cannot create such a field (a standard field, say). */
    FAILED
  }

  public FieldCreation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(outcome, "outcome");
    detail = detail == null ? "" : detail;
  }
}

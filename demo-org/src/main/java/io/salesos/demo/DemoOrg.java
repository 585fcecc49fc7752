package io.salesos.demo;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A field-sales organisation as canonical, CRM-agnostic records; each sandbox translates it into
 * its own CRM's shapes and ids. Ids here ({@code U001}, {@code A00001}...) are the demo's own and
 * are used only to wire references.
 */
public record DemoOrg(
    Instant asOf,
    List<User> users,
    List<Account> accounts,
    List<Contact> contacts,
    List<Deal> deals,
    List<Activity> activities) {

  public DemoOrg {
    Objects.requireNonNull(asOf, "asOf");
    users = List.copyOf(users);
    accounts = List.copyOf(accounts);
    contacts = List.copyOf(contacts);
    deals = List.copyOf(deals);
    activities = List.copyOf(activities);
  }

  public int size() {
    return users.size() + accounts.size() + contacts.size() + deals.size() + activities.size();
  }

  /** The canonical stages, in order, with the win probability each implies. */
  public enum Stage {
    PROSPECTING("Prospecting", 10, false, false),
    QUALIFICATION("Qualification", 20, false, false),
    DISCOVERY("Discovery", 40, false, false),
    PROPOSAL("Proposal", 60, false, false),
    NEGOTIATION("Negotiation", 80, false, false),
    VERBAL_COMMIT("Verbal Commit", 90, false, false),
    CLOSED_WON("Closed Won", 100, true, true),
    CLOSED_LOST("Closed Lost", 0, true, false);

    private final String label;
    private final int probability;
    private final boolean closed;
    private final boolean won;

    Stage(String label, int probability, boolean closed, boolean won) {
      this.label = label;
      this.probability = probability;
      this.closed = closed;
      this.won = won;
    }

    public String label() {
      return label;
    }

    public int probability() {
      return probability;
    }

    public boolean closed() {
      return closed;
    }

    public boolean won() {
      return won;
    }

    public static Optional<Stage> byLabel(String label) {
      for (var s : values()) {
        if (s.label.equalsIgnoreCase(label)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /** Forecast categories as reps call them. */
  public enum ForecastCategory {
    OMITTED("Omitted"),
    PIPELINE("Pipeline"),
    BEST_CASE("Best Case"),
    COMMIT("Commit"),
    CLOSED("Closed");

    private final String label;

    ForecastCategory(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * The people who sell in euros when the org is seeded into a CRM with EUR among its currencies
   * (the stock seed): every user of a region in a European zone, or, in an org with no such region,
   * of its last region, so even a small org has deals in two currencies.
   */
  public java.util.Set<String> euroSellers() {
    var regions = users().stream().filter(u -> u.timeZone().getId().startsWith("Europe/")).map(User::region)
        .collect(java.util.stream.Collectors.toSet());
    if (regions.isEmpty()) {
      users().stream().map(User::region).filter(r -> r != null && !r.isBlank()).reduce((a, b) -> b).ifPresent(regions::add);
    }
    return users().stream().filter(u -> regions.contains(u.region())).map(User::id)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** A person in the sales org: the VP, a manager or a rep, with the rep's home base and time zone. */
  public record User(
      String id,
      String firstName,
      String lastName,
      String email,
      String title,
      Role role,
      Optional<String> managerId,
      String region,
      double baseLat,
      double baseLng,
      boolean urban,
      java.time.ZoneId timeZone) {
    public User {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(managerId, "managerId");
      // a seed file written before users had zones reads as UTC
      timeZone = timeZone == null ? java.time.ZoneOffset.UTC : timeZone;
    }

    public String name() {
      return firstName + " " + lastName;
    }
  }

  /** A user's place in the org. */
  public enum Role {
    VP,
    MANAGER,
    REP
  }

  /** A customer or prospect company with a location and opening hours ("Mon-Fri 08:00-17:00"). */
  public record Account(
      String id,
      String name,
      String ownerId,
      String industry,
      String street,
      String city,
      String state,
      double lat,
      double lng,
      String openingHours,
      String tier,
      int visitEveryDays,
      Instant createdAt) {
    public Account {
      Objects.requireNonNull(id, "id");
    }
  }

  /** A person at an account; {@code buyingRole} is e.g. Economic Buyer, Champion; leads have lifecycle "lead". */
  public record Contact(
      String id,
      String accountId,
      String ownerId,
      String firstName,
      String lastName,
      String email,
      String title,
      Optional<String> buyingRole,
      String lifecycle,
      Instant createdAt) {
    public Contact {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(buyingRole, "buyingRole");
    }
  }

  /** A contact's role on a deal. */
  public record ContactRole(String contactId, String role, boolean primary) {}

  /** One entry of a deal's stage history: the deal entered {@code stage} at {@code at}. */
  public record StageChange(
      Stage stage, BigDecimal amount, LocalDate closeDate, ForecastCategory forecastCategory, Instant at) {}

  /** An opportunity / deal with its contact roles and stage history (oldest first). */
  public record Deal(
      String id,
      String name,
      String accountId,
      String ownerId,
      Stage stage,
      BigDecimal amount,
      LocalDate closeDate,
      ForecastCategory forecastCategory,
      Optional<String> nextStep,
      Optional<LocalDate> nextStepDate,
      Optional<String> mutualActionPlan,
      List<ContactRole> contactRoles,
      Instant createdAt,
      List<StageChange> stageHistory) {
    public Deal {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(nextStep, "nextStep");
      Objects.requireNonNull(nextStepDate, "nextStepDate");
      Objects.requireNonNull(mutualActionPlan, "mutualActionPlan");
      contactRoles = List.copyOf(contactRoles);
      stageHistory = List.copyOf(stageHistory);
    }

    public Instant stageEnteredAt() {
      return stageHistory.isEmpty() ? createdAt : stageHistory.get(stageHistory.size() - 1).at();
    }
  }

  /** What an activity was. */
  public enum ActivityKind {
    VISIT,
    MEETING,
    CALL,
    EMAIL,
    TASK,
    NOTE
  }

  /** Where an activity stands. */
  public enum ActivityStatus {
    PLANNED,
    COMPLETED,
    CANCELLED
  }

  /**
   * A visit, meeting, call, email, task or note. Visits logged on site carry check-in coordinates;
   * a visit typed in from the office has none.
   */
  public record Activity(
      String id,
      ActivityKind kind,
      String subject,
      String ownerId,
      Optional<String> accountId,
      Optional<String> dealId,
      Optional<String> contactId,
      Instant startAt,
      Instant endAt,
      ActivityStatus status,
      Optional<Double> checkInLat,
      Optional<Double> checkInLng) {
    public Activity {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(dealId, "dealId");
      Objects.requireNonNull(contactId, "contactId");
      Objects.requireNonNull(checkInLat, "checkInLat");
      Objects.requireNonNull(checkInLng, "checkInLng");
    }
  }
}

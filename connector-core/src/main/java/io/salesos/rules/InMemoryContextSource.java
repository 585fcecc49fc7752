package io.salesos.rules;

import java.util.List;
import java.util.stream.Stream;

/** A context source over lists already in memory, for tests, the benchmark and dry runs over fixtures. */
public record InMemoryContextSource(
    List<DealContext> dealList,
    List<ContactContext> contactList,
    List<AccountContext> accountList,
    List<ActivityContext> activityList,
    List<CrmRecord> owners) implements ContextSource {

  public InMemoryContextSource {
    dealList = List.copyOf(dealList);
    contactList = List.copyOf(contactList);
    accountList = List.copyOf(accountList);
    activityList = List.copyOf(activityList);
    owners = List.copyOf(owners);
  }

  /** A source of deals only (exit criteria and forecast rules need nothing else). */
  public static InMemoryContextSource ofDeals(List<DealContext> deals, List<CrmRecord> owners) {
    return new InMemoryContextSource(deals, List.of(), List.of(), List.of(), owners);
  }

  @Override
  public Stream<DealContext> deals() {
    return dealList.stream();
  }

  @Override
  public Stream<ContactContext> contacts() {
    return contactList.stream();
  }

  @Override
  public Stream<AccountContext> accounts() {
    return accountList.stream();
  }

  @Override
  public Stream<ActivityContext> activities() {
    return activityList.stream();
  }
}

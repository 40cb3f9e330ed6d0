package testkit;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import java.util.ArrayList;
import java.util.List;
import wire.CborSerializable;

/** A persistent actor for journal tests: persists each note it is given (one write per command) and lists them. */
public final class NoteTaker extends EventSourcedBehavior<NoteTaker.Command, NoteTaker.Note, List<String>> {
  public sealed interface Command extends CborSerializable {}

  public record Take(String text, ActorRef<Done> replyTo) implements Command {}

  public record GetNotes(ActorRef<Notes> replyTo) implements Command {}

  public record Notes(List<String> texts) implements CborSerializable {}

  /** The one event: a note was taken. */
  public record Note(String text) implements CborSerializable {}

  public static Behavior<Command> create(String id) {
    return new NoteTaker(PersistenceId.ofUniqueId(id));
  }

  private NoteTaker(PersistenceId id) {
    super(id);
  }

  @Override
  public List<String> emptyState() {
    return List.of();
  }

  @Override
  public CommandHandler<Command, Note, List<String>> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Take.class, (state, t) -> Effect().persist(new Note(t.text())).thenRun(s -> t.replyTo().tell(Done.done())))
        .onCommand(GetNotes.class, (state, l) -> {
          l.replyTo().tell(new Notes(state));
          return Effect().none();
        })
        .build();
  }

  @Override
  public EventHandler<List<String>, Note> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, note) -> {
      List<String> next = new ArrayList<>(state); // small: copying keeps the state immutable
      next.add(note.text());
      return List.copyOf(next);
    });
  }
}

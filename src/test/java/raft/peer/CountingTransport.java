package raft.peer;

import akka.actor.typed.ActorRef;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.transport.PeerTransport;

/** Counts the Raft messages peers send and passes everything on (the leader's actor too, for DeathWatch). */
final class CountingTransport implements PeerTransport {
  final AtomicLong sent = new AtomicLong();
  private final PeerTransport inner;

  CountingTransport(PeerTransport inner) {
    this.inner = inner;
  }

  @Override
  public void send(RaftMessage message) {
    sent.incrementAndGet();
    inner.send(message);
  }

  @Override
  public boolean streamsSnapshots() {
    return inner.streamsSnapshots();
  }

  @Override
  public void send(SnapshotStream part) {
    inner.send(part);
  }

  @Override
  public Optional<ActorRef<RaftPeer.Command>> actorOf(PeerId peer) {
    return inner.actorOf(peer);
  }
}

package raft.peer;

import raft.core.ProposeResult;
import wire.CborSerializable;

/**
 * The answer to {@link RaftPeer.ProposeTagged} {@code id}: the caller's own number for the
 * proposal, so that one message adapter serves every proposal it has in flight.
 */
public record TaggedProposeResult(long id, ProposeResult result) implements CborSerializable {}

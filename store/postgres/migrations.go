package postgres

// migrations are the schema steps, applied in order at open. Step i brings
// the database to version i+1. Append new steps; never edit or reorder a
// step that has shipped, since databases in the field already ran it.
//
// The schema holds what SQLite's (store/migrations.go) holds as of its
// version 8, in PostgreSQL's types: times are timestamptz at millisecond
// precision (the store truncates), ids and keys are compared byte by byte
// (COLLATE "C", as SQLite compares them), so that orders and cursors match
// whatever locale the database was created with. A message's text and
// client id are bytea: they come from clients as any JSON string, and a
// NUL character, which kefu relays and stores byte for byte, is the one
// thing PostgreSQL's text cannot hold.
var migrations = []string{
	// 1: everything kefu keeps. The CHECKs mirror store.ValidBatch.
	`CREATE TABLE agents (
		id               text COLLATE "C" PRIMARY KEY,
		name             text        NOT NULL,
		name_key         text COLLATE "C" NOT NULL UNIQUE, -- store.NameKey: Unicode case folding
		password_hash    bytea       NOT NULL,
		role             text        NOT NULL CHECK (role IN ('agent', 'supervisor')),
		capacity         integer     NOT NULL CHECK (capacity BETWEEN 1 AND 50),
		created_at       timestamptz NOT NULL,
		token_generation bigint      NOT NULL DEFAULT 0 CHECK (token_generation >= 0)
	);
	CREATE TABLE secrets (
		name  text PRIMARY KEY,
		value bytea NOT NULL
	);
	CREATE TABLE revoked_tokens (
		id         text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		expires_at timestamptz NOT NULL
	);
	CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

	CREATE TABLE conversations (
		id            text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		customer_id   text COLLATE "C" NOT NULL,
		customer_name text        NOT NULL,
		agent_id      text COLLATE "C" NOT NULL,
		agent_name    text        NOT NULL,
		ticket        bigint      NOT NULL CHECK (ticket >= 0),
		started_at    timestamptz NOT NULL,
		ended_at      timestamptz,
		ended_by      text        NOT NULL,
		end_reason    text        NOT NULL,
		rating        smallint    NOT NULL CHECK (rating BETWEEN 0 AND 5)
	);
	CREATE INDEX conversations_open ON conversations (ticket, id) WHERE ended_at IS NULL;
	CREATE INDEX conversations_ticket ON conversations (ticket);
	CREATE INDEX conversations_started ON conversations (started_at, id);
	CREATE INDEX conversations_agent ON conversations (agent_id, started_at, id);

	CREATE TABLE messages (
		conv_id     text COLLATE "C" NOT NULL REFERENCES conversations (id),
		seq         bigint      NOT NULL CHECK (seq >= 1),
		sender_id   text        NOT NULL,
		sender_role text        NOT NULL CHECK (sender_role IN ('agent', 'customer')),
		sender_name text        NOT NULL,
		text        bytea       NOT NULL, -- UTF-8, NUL and all
		client_id   bytea       NOT NULL,
		at          timestamptz NOT NULL,
		PRIMARY KEY (conv_id, seq)
	);

	-- id keeps the order events were applied in.
	CREATE TABLE conv_events (
		id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		conv_id    text COLLATE "C" NOT NULL REFERENCES conversations (id),
		kind       text        NOT NULL CHECK (kind IN ('assigned', 'transferred', 'requeued', 'ended')),
		agent_id   text COLLATE "C" NOT NULL,
		agent_name text        NOT NULL,
		reason     text        NOT NULL,
		at         timestamptz NOT NULL,
		-- A hand-off's sender (the server's record) and note; '' otherwise.
		-- The note is bytea like a message's text: a client may put a NUL in it.
		by_id      text COLLATE "C" NOT NULL DEFAULT '',
		by_name    text        NOT NULL DEFAULT '',
		note       bytea       NOT NULL DEFAULT '',
		UNIQUE (conv_id, at, kind, agent_id, agent_name, reason, by_id, by_name, note) -- a re-applied event is skipped
	);
	CREATE INDEX conv_events_agent ON conv_events (agent_id, conv_id);

	-- No foreign key: a report row outlives anything it names, and a
	-- customer may queue and leave before a conversation is stored.
	CREATE TABLE routing_events (
		id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		kind          text        NOT NULL CHECK (kind IN ('queued', 'left_queue', 'assigned', 'transferred', 'requeued', 'ended')),
		customer_id   text COLLATE "C" NOT NULL,
		customer_name text        NOT NULL DEFAULT '',
		agent_id      text COLLATE "C" NOT NULL,
		conv_id       text COLLATE "C" NOT NULL,
		ticket        bigint      NOT NULL CHECK (ticket >= 0),
		at            timestamptz NOT NULL,
		UNIQUE (at, kind, customer_id, agent_id, conv_id, ticket) -- a re-applied event is skipped
	);
	CREATE INDEX routing_events_ticket ON routing_events (ticket);
	CREATE INDEX routing_events_customer ON routing_events (customer_id, at);

	CREATE TABLE read_marks (
		conv_id  text COLLATE "C" NOT NULL REFERENCES conversations (id),
		party_id text COLLATE "C" NOT NULL CHECK (party_id <> ''),
		seq      bigint NOT NULL CHECK (seq >= 0),
		PRIMARY KEY (conv_id, party_id)
	);

	-- Apply's insert of messages calls this when a message meets another
	-- stored under its (conv_id, seq) with other content: raising aborts the
	-- whole batch, which arrived in one round trip, so the refusal costs no
	-- second query. KF001 is kefu's own SQLSTATE (codeSeqTaken).
	CREATE FUNCTION kefu_seq_taken(conv text, seq bigint) RETURNS bigint
	LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'seq % of conversation "%" is already stored with other content', seq, conv
			USING ERRCODE = 'KF001';
	END
	$$;`,

	// 2: fencing (fencing.go, docs/cluster-plan.md §4). Every time is the
	// server's clock_timestamp(), never a node's. node_leases holds one row
	// per node start (the id is new each time), never deleted: an evicted
	// or expired node can never come back. owners holds each identity's
	// epoch and who claimed it last. messages.epoch is the epoch a message
	// was stored under (0 unfenced), for the checker.
	`CREATE TABLE node_leases (
		node_id    text COLLATE "C" PRIMARY KEY CHECK (node_id <> ''),
		address    text        NOT NULL,
		expires_at timestamptz NOT NULL,
		evicted    boolean     NOT NULL DEFAULT false
	);
	CREATE TABLE owners (
		key        text COLLATE "C" PRIMARY KEY CHECK (key <> ''),
		epoch      bigint      NOT NULL CHECK (epoch >= 1),
		node_id    text COLLATE "C" NOT NULL,
		claimed_at timestamptz NOT NULL
	);
	ALTER TABLE messages ADD COLUMN epoch bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0);

	-- A claim and a fenced commit of one key wait for each other, by a
	-- transaction-level advisory lock on the key's hash (class 'kefu'):
	-- exclusive for the claim, shared for each commit. So a commit lands
	-- before the claim returns, or sees the new epoch and is refused.
	-- (Row locks FOR SHARE were tried first: a share lock does not queue
	-- behind a waiting update, so an old owner committing back to back
	-- kept a claim waiting past a thousand commits. The lock manager's
	-- advisory locks queue in order: a commit asking after a waiting
	-- claim goes after it.) A commit takes its keys' locks in hash order,
	-- so that two commits and two claims cannot wait in a circle.

	-- kefu_claim is Claim's one statement: the key's new epoch, or NULL
	-- when the claimer's lease is not live.
	CREATE FUNCTION kefu_claim(claim_key text, node text) RETURNS bigint
	LANGUAGE plpgsql AS $$
	DECLARE
		claimed bigint;
	BEGIN
		PERFORM pg_advisory_xact_lock(1801807477, hashtext(claim_key));
		IF NOT EXISTS (SELECT 1 FROM node_leases l
				WHERE l.node_id = node AND NOT l.evicted AND l.expires_at > clock_timestamp()) THEN
			RETURN NULL;
		END IF;
		INSERT INTO owners AS o (key, epoch, node_id, claimed_at)
			VALUES (claim_key, 1, node, clock_timestamp())
			ON CONFLICT (key) DO UPDATE
				SET epoch = o.epoch + 1, node_id = excluded.node_id, claimed_at = excluded.claimed_at
			RETURNING o.epoch INTO claimed;
		RETURN claimed;
	END
	$$;

	-- kefu_check_fences goes first in a fenced group commit. A key is
	-- stale if nobody claimed it, or its epoch or owner is not the
	-- commit's; every key is, if the node's lease is not live. The stale
	-- keys go back as JSON in the error's DETAIL, under kefu's SQLSTATE
	-- KF002 (codeFenced; KF001 is kefu_seq_taken's).
	CREATE FUNCTION kefu_check_fences(keys text[], epochs bigint[], node text) RETURNS void
	LANGUAGE plpgsql AS $$
	DECLARE
		k     text;
		stale text[];
	BEGIN
		FOR k IN SELECT d.u FROM (SELECT DISTINCT u FROM unnest(keys) AS u) d ORDER BY hashtext(d.u), d.u LOOP
			PERFORM pg_advisory_xact_lock_shared(1801807477, hashtext(k));
		END LOOP;
		-- A statement of its own, so its snapshot is taken after the
		-- locks: it sees every claim that went before.
		IF EXISTS (SELECT 1 FROM node_leases l
				WHERE l.node_id = node AND NOT l.evicted AND l.expires_at > clock_timestamp()) THEN
			SELECT array_agg(DISTINCT f.key ORDER BY f.key) INTO stale
			FROM unnest(keys, epochs) AS f(key, epoch)
			LEFT JOIN owners o ON o.key = f.key
			WHERE o.key IS NULL OR o.epoch <> f.epoch OR o.node_id <> node;
		ELSE
			SELECT array_agg(DISTINCT u ORDER BY u) INTO stale FROM unnest(keys) AS u;
		END IF;
		IF stale IS NOT NULL THEN
			RAISE EXCEPTION 'stale fences: %', array_to_string(stale, ', ')
				USING ERRCODE = 'KF002', DETAIL = to_json(stale)::text;
		END IF;
	END
	$$;`,
	// 3: teams, as SQLite's version 8 (store/migrations.go).
	`CREATE TABLE teams (
		id          text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		name        text        NOT NULL,
		name_key    text COLLATE "C" NOT NULL,
		description text        NOT NULL DEFAULT '',
		visible     boolean     NOT NULL,
		position    integer     NOT NULL DEFAULT 0,
		everyone    boolean     NOT NULL DEFAULT false,
		hours       jsonb       NOT NULL DEFAULT '{}',
		version     bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
		created_at  timestamptz NOT NULL,
		archived_at timestamptz
	);
	CREATE UNIQUE INDEX teams_name_key ON teams (name_key) WHERE archived_at IS NULL;
	INSERT INTO teams (id, name, name_key, visible, everyone, hours, created_at)
		VALUES ('tm_general', 'General', 'general', true, true, '{"alwaysOpen":true}', 'epoch');
	CREATE TABLE team_members (
		team_id  text COLLATE "C" NOT NULL REFERENCES teams (id),
		agent_id text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
		PRIMARY KEY (team_id, agent_id)
	);
	CREATE INDEX team_members_agent ON team_members (agent_id);`,
	// 4: a fence may name its own node (store.Fence.Node): a
	// conversation's first write carries its dispatcher's fence. The
	// stale fences go back by position (0-based, JSON in DETAIL), since
	// one commit can carry a key under two epochs. The three-argument
	// version stays for a node still running the previous binary in a
	// rolling upgrade.
	`CREATE FUNCTION kefu_check_fences(keys text[], epochs bigint[], nodes text[], node text) RETURNS void
	LANGUAGE plpgsql AS $$
	DECLARE
		k     text;
		stale integer[];
	BEGIN
		FOR k IN SELECT d.u FROM (SELECT DISTINCT u FROM unnest(keys) AS u) d ORDER BY hashtext(d.u), d.u LOOP
			PERFORM pg_advisory_xact_lock_shared(1801807477, hashtext(k));
		END LOOP;
		IF EXISTS (SELECT 1 FROM node_leases l
				WHERE l.node_id = node AND NOT l.evicted AND l.expires_at > clock_timestamp()) THEN
			SELECT array_agg(f.i - 1 ORDER BY f.i) INTO stale
			FROM unnest(keys, epochs, nodes) WITH ORDINALITY AS f(key, epoch, fnode, i)
			LEFT JOIN owners o ON o.key = f.key
			WHERE o.key IS NULL OR o.epoch <> f.epoch OR o.node_id <> COALESCE(NULLIF(f.fnode, ''), node);
		ELSE
			SELECT array_agg(i - 1 ORDER BY i) INTO stale FROM generate_subscripts(keys, 1) AS i;
		END IF;
		IF stale IS NOT NULL THEN
			RAISE EXCEPTION 'stale fences at positions %', array_to_string(stale, ', ')
				USING ERRCODE = 'KF002', DETAIL = to_json(stale)::text;
		END IF;
	END
	$$;`,
	// 5: a conversation's team, origin and inbox, the form's email and
	// language, a routing event's team: SQLite's version 9.
	`ALTER TABLE conversations ADD COLUMN team_id text COLLATE "C" NOT NULL DEFAULT 'tm_general';
	ALTER TABLE conversations ADD COLUMN origin text NOT NULL DEFAULT 'chat' CHECK (origin IN ('chat', 'form'));
	ALTER TABLE conversations ADD COLUMN inbox boolean NOT NULL DEFAULT false;
	ALTER TABLE conversations ADD COLUMN customer_email text NOT NULL DEFAULT '';
	ALTER TABLE conversations ADD COLUMN customer_lang text NOT NULL DEFAULT '';
	CREATE INDEX conversations_inbox ON conversations (team_id, ticket, id) WHERE inbox AND ended_at IS NULL;
	ALTER TABLE routing_events ADD COLUMN team_id text COLLATE "C" NOT NULL DEFAULT 'tm_general';
	CREATE TABLE mail_outbox (
		id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		message_id    text COLLATE "C" NOT NULL UNIQUE CHECK (message_id <> ''),
		conv_id       text COLLATE "C" NOT NULL REFERENCES conversations (id),
		to_addr       text        NOT NULL,
		lang          text        NOT NULL,
		after_seq     bigint      NOT NULL CHECK (after_seq >= 0),
		created_at    timestamptz NOT NULL,
		next_at       timestamptz NOT NULL,
		attempts      integer     NOT NULL DEFAULT 0,
		claimed_by    text        NOT NULL DEFAULT '',
		claimed_until timestamptz NOT NULL DEFAULT 'epoch',
		sent_at       timestamptz,
		gave_up_at    timestamptz,
		last_error    text        NOT NULL DEFAULT ''
	);
	CREATE INDEX mail_outbox_due ON mail_outbox (next_at, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;
	CREATE INDEX mail_outbox_done ON mail_outbox (COALESCE(sent_at, gave_up_at)) WHERE sent_at IS NOT NULL OR gave_up_at IS NOT NULL;`,
	// 6: settings, as SQLite's version 10.
	`CREATE TABLE settings (
		name  text COLLATE "C" PRIMARY KEY CHECK (name <> ''),
		value text NOT NULL
	);`,
	// 7: canned responses, as SQLite's version 11.
	`CREATE TABLE canned (
		id           text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		owner_id     text COLLATE "C" REFERENCES agents (id) ON DELETE CASCADE,
		shortcut     text        NOT NULL,
		shortcut_key text COLLATE "C" NOT NULL,
		text         text        NOT NULL,
		version      bigint      NOT NULL DEFAULT 1,
		created_at   timestamptz NOT NULL
	);
	CREATE UNIQUE INDEX canned_scope ON canned (COALESCE(owner_id, ''), shortcut_key);`,
	// 8: private notes and labels, as SQLite's version 12. A note stored
	// under its (conv_id, n) with other content is refused by
	// kefu_note_taken, as a message by kefu_seq_taken (KF001).
	`CREATE TABLE conv_notes (
		conv_id     text COLLATE "C" NOT NULL REFERENCES conversations (id),
		n           bigint      NOT NULL CHECK (n >= 1),
		author_id   text        NOT NULL CHECK (author_id <> ''),
		author_name text        NOT NULL,
		text        bytea       NOT NULL, -- UTF-8, NUL and all, as messages'
		client_id   bytea       NOT NULL,
		after_seq   bigint      NOT NULL CHECK (after_seq >= 0),
		at          timestamptz NOT NULL,
		PRIMARY KEY (conv_id, n)
	);
	CREATE TABLE conversation_labels (
		conv_id text COLLATE "C" NOT NULL REFERENCES conversations (id),
		label   text COLLATE "C" NOT NULL CHECK (label <> ''),
		PRIMARY KEY (conv_id, label)
	);
	CREATE INDEX conversation_labels_label ON conversation_labels (label, conv_id);
	CREATE FUNCTION kefu_note_taken(conv text, n bigint) RETURNS bigint
	LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'note % of conversation "%" is already stored with other content', n, conv
			USING ERRCODE = 'KF001';
	END
	$$;`,
	// 9: uploaded files, as SQLite's version 13, with the bytes here too
	// (blobs.go): chunks of blobChunk bytes, so that every node sees them
	// and no row is larger than a chunk.
	`CREATE TABLE blobs (
		id         text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		conv_id    text COLLATE "C" NOT NULL,
		by_id      text        NOT NULL,
		name       text        NOT NULL,
		type       text        NOT NULL,
		size       bigint      NOT NULL CHECK (size >= 0),
		sha256     text        NOT NULL,
		created_at timestamptz NOT NULL
	);
	CREATE INDEX blobs_created ON blobs (created_at);
	CREATE TABLE blob_chunks (
		blob_id text COLLATE "C" NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
		n       integer NOT NULL CHECK (n >= 0),
		bytes   bytea   NOT NULL,
		PRIMARY KEY (blob_id, n)
	);
	ALTER TABLE messages ADD COLUMN file_id text COLLATE "C" NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN file_type text NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN file_size bigint NOT NULL DEFAULT 0;
	CREATE INDEX messages_file ON messages (file_id) WHERE file_id <> '';`,
	// 10: search, as SQLite's version 14 (store/search.go, search.go): a
	// message's and a customer's name's words as a tsvector of
	// store.SearchText's, which kefu computes at insert since PostgreSQL
	// cannot run it ('simple' then splits at the spaces SearchText put,
	// with no stop words and no stemming). GIN indexes find the words.
	// Rows stored before are NULL until backfillSearch fills them at open;
	// the partial indexes find those, and are empty after.
	`ALTER TABLE messages ADD COLUMN search tsvector;
	ALTER TABLE conversations ADD COLUMN search tsvector;
	CREATE INDEX messages_search ON messages USING gin (search);
	CREATE INDEX conversations_search ON conversations USING gin (search);
	CREATE INDEX messages_unsearched ON messages (conv_id, seq) WHERE search IS NULL;
	CREATE INDEX conversations_unsearched ON conversations (id) WHERE search IS NULL;`,
}

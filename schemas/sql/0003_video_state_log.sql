-- 0003_video_state_log: every state change of a video, with who or what caused it.

CREATE TABLE video_state_log (
  id          INTEGER PRIMARY KEY,
  video_id    TEXT NOT NULL REFERENCES video(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX video_state_log_by_video ON video_state_log(video_id, id);

-- What each role may touch at all; the policies in 0001 decide which rows.
grant select, insert, update, delete on posts to authenticated;
grant select on posts to anon;
grant usage on sequence posts_id_seq to authenticated;

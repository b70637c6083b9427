-- pg-claims SQL helpers, schema auth. Idempotent: safe to run again.
create schema if not exists auth;
grant usage on schema auth to public;

create or replace function auth.session() returns pg_catalog.jsonb
  language sql stable parallel safe
  return coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb, 'null'::pg_catalog.jsonb);
comment on function auth.session() is 'pg-claims: the verified JWT claims of this transaction (request.jwt.claims) as jsonb; JSON null when there are none.';

create or replace function auth.jwt() returns pg_catalog.jsonb
  language sql stable parallel safe
  return auth.session();
comment on function auth.jwt() is 'pg-claims: the same as session().';

create or replace function auth.user_id() returns pg_catalog.text
  language sql stable parallel safe
  return case when pg_catalog.jsonb_typeof(auth.session() -> 'sub') = 'string' then auth.session() ->> 'sub' end;
comment on function auth.user_id() is 'pg-claims: the sub claim when it is a string, else NULL.';

create or replace function auth.uid() returns pg_catalog.uuid
  language sql stable parallel safe
  return case when auth.user_id() ~ '^([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}$|^[{]([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}[}]$' then auth.user_id()::pg_catalog.uuid end;
comment on function auth.uid() is 'pg-claims: the sub claim as a uuid; NULL when it is not one.';

create or replace function auth.organization() returns pg_catalog.jsonb
  language sql stable parallel safe
  return case when pg_catalog.jsonb_typeof(auth.session() -> 'o') = 'object' then auth.session() -> 'o' end;
comment on function auth.organization() is 'pg-claims: the o claim when it is an object, else NULL.';

create or replace function auth.organization_id() returns pg_catalog.uuid
  language sql stable parallel safe
  return case when auth.organization() ->> 'id' ~ '^([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}$|^[{]([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}[}]$' then (auth.organization() ->> 'id')::pg_catalog.uuid end;
comment on function auth.organization_id() is 'pg-claims: the id of the o claim as a uuid; NULL when it is not one.';

create or replace function auth.role() returns pg_catalog.text
  language sql stable parallel safe
  return auth.session() ->> 'role';
comment on function auth.role() is 'pg-claims: the role claim as text.';

create or replace function auth.email() returns pg_catalog.text
  language sql stable parallel safe
  return auth.session() ->> 'email';
comment on function auth.email() is 'pg-claims: the email claim as text.';

create or replace function auth.claim(name pg_catalog.text) returns pg_catalog.text
  language sql stable parallel safe
  return auth.session() ->> name;
comment on function auth.claim(name pg_catalog.text) is 'pg-claims: one claim as text (objects and arrays as JSON); NULL when absent or null.';

comment on schema auth is 'pg-claims helpers v2';

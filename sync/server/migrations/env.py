from sync.migrate import run_env
from sync.server.models import Base

run_env(Base.metadata)

from sync.migrate import run_env
from desktop_app.store.models import Base

run_env(Base.metadata)
